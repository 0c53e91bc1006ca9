import assert from 'node:assert/strict';
import { invoicePaymentStatus, localIsoDate } from '../../nodes/lib/invoice-status';

describe('invoicePaymentStatus', () => {
  const today = '2025-03-10';
  const invoice = { amount: 1190, remainingAmount: 1190, dueDate: '2025-03-20' };

  it('is open when nothing is paid and the due date has not passed', () => {
    assert.deepEqual(invoicePaymentStatus(invoice, today), { status: 'open', daysOverdue: 0 });
    assert.deepEqual(invoicePaymentStatus({ ...invoice, dueDate: today }, today), { status: 'open', daysOverdue: 0 });
  });

  it('is partially paid when some but not all is paid, before the due date', () => {
    assert.deepEqual(invoicePaymentStatus({ ...invoice, remainingAmount: 190 }, today), {
      status: 'partiallyPaid',
      daysOverdue: 0,
    });
  });

  it('is paid when nothing remains or the ERP says so', () => {
    assert.deepEqual(invoicePaymentStatus({ ...invoice, remainingAmount: 0, dueDate: '2025-01-01' }, today), {
      status: 'paid',
      daysOverdue: 0,
    });
    assert.deepEqual(invoicePaymentStatus({ ...invoice, paid: true }, today), { status: 'paid', daysOverdue: 0 });
  });

  it('is overdue, with whole days counted, when something remains after the due date, partly paid or not', () => {
    assert.deepEqual(invoicePaymentStatus({ ...invoice, dueDate: '2025-03-09' }, today), {
      status: 'overdue',
      daysOverdue: 1,
    });
    assert.deepEqual(invoicePaymentStatus({ ...invoice, remainingAmount: 10, dueDate: '2025-01-09' }, today), {
      status: 'overdue',
      daysOverdue: 60,
    });
  });

  it('counts calendar days across a daylight saving change', () => {
    assert.equal(invoicePaymentStatus({ ...invoice, dueDate: '2025-03-29' }, '2025-04-02').daysOverdue, 4);
  });

  it('is cancelled whatever the amounts and dates say', () => {
    assert.deepEqual(invoicePaymentStatus({ ...invoice, dueDate: '2024-01-01', cancelled: true }, today), {
      status: 'cancelled',
      daysOverdue: 0,
    });
  });

  it("defaults to today's local calendar date", () => {
    assert.equal(localIsoDate(new Date(2025, 0, 5, 23, 59)), '2025-01-05');
    assert.equal(invoicePaymentStatus({ ...invoice, dueDate: localIsoDate() }).status, 'open');
  });
});
