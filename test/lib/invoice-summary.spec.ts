import assert from 'node:assert/strict';
import { singleCurrencyBalances, summarizeInvoices, type SingleCurrencySummary } from '../../nodes/lib/invoice-summary';
import type { InvoiceStatus } from '../../nodes/lib/model/types.generated';

let invoiceCounter = 0;

function invoice(overrides: Partial<InvoiceStatus>): InvoiceStatus {
  return {
    invoiceNumber: `INV-${++invoiceCounter}`,
    customer: { number: '10000' },
    dueDate: '2025-03-20',
    currency: 'EUR',
    amount: 100,
    remainingAmount: 100,
    status: 'open',
    daysOverdue: 0,
    ...overrides,
  };
}

describe('summarizeInvoices', () => {
  it('sums open and overdue balances and finds the oldest due date of what is still owed', () => {
    const summary = summarizeInvoices([
      invoice({ remainingAmount: 1250, dueDate: '2025-04-01' }),
      invoice({ status: 'partiallyPaid', amount: 3000, remainingAmount: 1000, dueDate: '2025-03-15' }),
      invoice({ status: 'overdue', remainingAmount: 4200, dueDate: '2025-02-01', daysOverdue: 37 }),
      invoice({ status: 'overdue', amount: 595, remainingAmount: 295, dueDate: '2025-01-10', daysOverdue: 59 }),
      invoice({ status: 'paid', remainingAmount: 0, dueDate: '2024-12-01' }),
      invoice({ status: 'cancelled', remainingAmount: 0, dueDate: '2024-11-01' }),
    ]);
    assert.deepEqual(summary, {
      count: 6,
      currency: 'EUR',
      openBalance: 6745,
      overdueBalance: 4495,
      oldestDueDate: '2025-01-10',
      overdueCount: 2,
    });
  });

  it('sums in cents, so many small amounts do not drift', () => {
    const dimes = Array.from({ length: 10 }, () => invoice({ status: 'overdue', remainingAmount: 0.1 }));
    const floatSum = dimes.reduce((sum, item) => sum + item.remainingAmount, 0);
    assert.notEqual(floatSum, 1, 'a plain float sum drifts');
    const summary = summarizeInvoices([...dimes, invoice({ remainingAmount: 0.2 })]) as SingleCurrencySummary;
    assert.equal(summary.openBalance, 1.2);
    assert.equal(summary.overdueBalance, 1);
    const pair = summarizeInvoices([invoice({ remainingAmount: 0.1 }), invoice({ remainingAmount: 0.2 })]);
    assert.equal((pair as SingleCurrencySummary).openBalance, 0.3);
  });

  it('keeps the third decimal of currencies that have one', () => {
    const summary = summarizeInvoices([
      invoice({ currency: 'KWD', remainingAmount: 10.125 }),
      invoice({ currency: 'KWD', remainingAmount: 0.001 }),
    ]);
    assert.equal((summary as SingleCurrencySummary).openBalance, 10.126);
  });

  it('sums mixed currencies per currency and never across them', () => {
    const summary = summarizeInvoices([
      invoice({ currency: 'EUR', remainingAmount: 100.1 }),
      invoice({ currency: 'USD', status: 'overdue', remainingAmount: 50.25, dueDate: '2025-01-31' }),
      invoice({ currency: 'EUR', status: 'overdue', remainingAmount: 0.2, dueDate: '2025-02-15' }),
      invoice({ currency: 'JPY', status: 'paid', remainingAmount: 0 }),
    ]);
    assert.deepEqual(summary, {
      count: 4,
      currencies: {
        EUR: { count: 2, openBalance: 100.3, overdueBalance: 0.2 },
        USD: { count: 1, openBalance: 50.25, overdueBalance: 50.25 },
        JPY: { count: 1, openBalance: 0, overdueBalance: 0 },
      },
      oldestDueDate: '2025-01-31',
      overdueCount: 2,
    });
    assert.ok(!('openBalance' in summary));
  });

  it('has zero balances and no oldest due date when nothing is open', () => {
    assert.deepEqual(summarizeInvoices([invoice({ status: 'paid', remainingAmount: 0 })]), {
      count: 1,
      currency: 'EUR',
      openBalance: 0,
      overdueBalance: 0,
      oldestDueDate: null,
      overdueCount: 0,
    });
    assert.deepEqual(summarizeInvoices([]), {
      count: 0,
      openBalance: 0,
      overdueBalance: 0,
      oldestDueDate: null,
      overdueCount: 0,
    });
  });
});

describe('singleCurrencyBalances', () => {
  it('takes the balances of a single-currency summary as they are', () => {
    const summary = summarizeInvoices([invoice({ status: 'overdue', remainingAmount: 12.5 })]);
    assert.deepEqual(singleCurrencyBalances(summary), { openBalance: 12.5, overdueBalance: 12.5 });
  });

  it('takes the one currency still owed when the others are settled', () => {
    const summary = summarizeInvoices([
      invoice({ currency: 'USD', status: 'paid', remainingAmount: 0 }),
      invoice({ currency: 'EUR', remainingAmount: 80 }),
    ]);
    assert.deepEqual(singleCurrencyBalances(summary), { openBalance: 80, overdueBalance: 0 });
  });

  it('has none when several currencies are owed', () => {
    const summary = summarizeInvoices([
      invoice({ currency: 'USD', remainingAmount: 10 }),
      invoice({ currency: 'EUR', remainingAmount: 80 }),
    ]);
    assert.equal(singleCurrencyBalances(summary), undefined);
  });
});
