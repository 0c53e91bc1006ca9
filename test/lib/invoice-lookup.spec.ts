import assert from 'node:assert/strict';
import { SyncError } from '../../nodes/lib/errors';
import { idFromInput, lookUpInvoices, writeSummaryToCrm, type InvoiceAnswer } from '../../nodes/lib/invoice-lookup';
import type { Customer, InvoiceStatus } from '../../nodes/lib/model/types.generated';
import type { Capabilities, CustomerPort, SystemDriver } from '../../nodes/lib/ports';
import type { LinkGroup, SyncStore } from '../../nodes/lib/store/ports';
import { summarizeInvoices } from '../../nodes/lib/invoice-summary';

const CAPABILITIES: Capabilities = {
  customers: { read: true, write: true, upsertByNumber: false, naturalKeys: [], fields: [] },
  orders: { read: false, create: false },
  invoices: { read: true },
  batchSize: 1,
};

const EUR_INVOICE: InvoiceStatus = {
  invoiceNumber: 'PS-INV1',
  customer: { ids: { erp: '10000' }, number: '10000' },
  dueDate: '2025-03-20',
  currency: 'EUR',
  amount: 100,
  remainingAmount: 100,
  status: 'open',
  daysOverdue: 0,
};

/** A driver with only what a test needs; every call it gets is recorded. */
function fakeDriver(system: string, overrides: Partial<SystemDriver> = {}, calls: string[] = []): SystemDriver {
  return {
    system,
    driver: 'fake',
    linkKey: 'number',
    numberSystem: system,
    capabilities: CAPABILITIES,
    invoices: {
      byCustomer: async (number) => (calls.push(`byCustomer ${number}`), number === '10000' ? [EUR_INVOICE] : []),
      byOrder: async (number) => (calls.push(`byOrder ${number}`), []),
      byNumber: async (number) => (calls.push(`byNumber ${number}`), undefined),
    },
    testConnection: async () => [],
    close: async () => undefined,
    ...overrides,
  };
}

function storeWith(links: LinkGroup[]): () => Promise<SyncStore> {
  const store = {
    lookup: async (entity: string, system: string, id: string) =>
      links.find((link) => link.entity === entity && link.ids[system] === id),
  };
  return async () => store as unknown as SyncStore;
}

function linkOf(entity: string, ids: Record<string, string>): LinkGroup {
  return { entity, linkId: `link-${ids.erp}`, ids, createdAt: '', updatedAt: '' };
}

async function rejection(promise: Promise<unknown>): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SyncError, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

const noStore = () => Promise.reject(new Error('no store expected'));

describe('idFromInput', () => {
  it('takes text, numbers and ids[system] of a record', () => {
    assert.equal(idFromInput(' 10000 ', 'erp', 'customer'), '10000');
    assert.equal(idFromInput(10000, 'erp', 'customer'), '10000');
    assert.equal(idFromInput({ ids: { crm: 'A-1', erp: '10000' } }, 'crm', 'customer'), 'A-1');
  });

  it('says what is wrong with anything else', () => {
    assert.throws(() => idFromInput({ ids: { erp: '1' } }, 'crm', 'order'), /order erp=1 has no crm id in ids/);
    assert.throws(() => idFromInput(undefined, 'erp', 'invoice'), /invoice id must be text, .* got nothing/);
    assert.throws(() => idFromInput({ name: 'x' }, 'erp', 'customer'), /got object/);
  });
});

describe('lookUpInvoices', () => {
  it('asks the ERP directly for an id of its own, without the store', async () => {
    const calls: string[] = [];
    const answer = await lookUpInvoices(
      { by: 'order', system: 'erp', id: 'SO-1' },
      fakeDriver('erp', {}, calls),
      noStore,
    );
    assert.deepEqual(calls, ['byOrder SO-1']);
    assert.deepEqual(answer.erp, { system: 'erp' });
    assert.equal(answer.summary.count, 0);
  });

  it('follows the link of another system to the ERP key', async () => {
    const link = linkOf('customer', { crm: 'A-1', erp: '10000' });
    const answer = await lookUpInvoices(
      { by: 'customer', system: 'crm', id: 'A-1' },
      fakeDriver('erp'),
      storeWith([link]),
    );
    assert.deepEqual(answer.erp, { system: 'erp', customer: '10000' });
    assert.equal(answer.customerLink, link);
    assert.deepEqual(answer.invoices, [EUR_INVOICE]);
  });

  it('fails with NOT_FOUND when the link is missing or has no ERP id', async () => {
    const store = storeWith([linkOf('order', { crm: 'O-1' })]);
    const error = await rejection(lookUpInvoices({ by: 'order', system: 'crm', id: 'O-1' }, fakeDriver('erp'), store));
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.message, 'order crm=O-1 is not linked to erp');
  });

  it('fails with NOT_FOUND for an unknown invoice number, naming the linked id too', async () => {
    const store = storeWith([linkOf('invoice', { crm: 'I-1', erp: 'PS-INV9' })]);
    const error = await rejection(
      lookUpInvoices({ by: 'invoice', system: 'crm', id: 'I-1' }, fakeDriver('erp'), store),
    );
    assert.equal(error.message, 'invoice crm=I-1, erp=PS-INV9 was not found in erp');
  });

  it('fails with CONFIG when the connection cannot read invoices', async () => {
    const crm = fakeDriver('crm', { capabilities: { ...CAPABILITIES, invoices: { read: false } } });
    const error = await rejection(lookUpInvoices({ by: 'customer', system: 'crm', id: 'A-1' }, crm, noStore));
    assert.equal(error.code, 'CONFIG');
    assert.match(error.message, /^crm: a fake connection cannot read invoices/);
  });
});

describe('writeSummaryToCrm', () => {
  const answerFor = (invoices: InvoiceStatus[]): InvoiceAnswer => ({
    invoices,
    summary: summarizeInvoices(invoices),
    erp: { system: 'erp', customer: '10000' },
  });
  const checkedAt = new Date('2025-03-10T06:00:00.000Z');

  function crmRecording(updates: Array<[string, Partial<Customer>]>, mapped = true): SystemDriver {
    return fakeDriver('crm', {
      linkKey: 'id',
      customers: {
        update: async (id: string, changes: Partial<Customer>) => {
          updates.push([id, changes]);
          return { id, data: { ids: { crm: id }, name: 'x', ...(mapped ? { custom: changes.custom } : {}) } };
        },
      } as unknown as CustomerPort,
    });
  }

  it('writes only the chosen fields to the account linked to the ERP customer', async () => {
    const updates: Array<[string, Partial<Customer>]> = [];
    const store = storeWith([linkOf('customer', { crm: 'acc-1', erp: '10000' })]);
    const written = await writeSummaryToCrm(
      answerFor([EUR_INVOICE]),
      crmRecording(updates),
      store,
      ['openBalance', 'invoicesCheckedAt'],
      checkedAt,
    );
    const fields = { openBalance: 100, invoicesCheckedAt: '2025-03-10T06:00:00.000Z' };
    assert.deepEqual(updates, [['acc-1', { custom: fields }]]);
    assert.deepEqual(written, { system: 'crm', id: 'acc-1', fields });
  });

  it('rejects one balance for debts in several currencies', async () => {
    const error = await rejection(
      writeSummaryToCrm(
        answerFor([EUR_INVOICE, { ...EUR_INVOICE, currency: 'USD' }]),
        crmRecording([]),
        storeWith([]),
        ['openBalance'],
      ),
    );
    assert.equal(error.code, 'REJECTED');
    assert.match(error.message, /owes in several currencies \(EUR, USD\)/);
  });

  it('fails with NOT_FOUND when the ERP customer has no CRM account linked', async () => {
    const error = await rejection(writeSummaryToCrm(answerFor([]), crmRecording([]), storeWith([]), ['oldestDueDate']));
    assert.equal(error.message, 'customer erp=10000 is not linked to crm');
  });

  it('fails with CONFIG when the connection maps no column for a field', async () => {
    const store = storeWith([linkOf('customer', { crm: 'acc-1', erp: '10000' })]);
    const error = await rejection(writeSummaryToCrm(answerFor([]), crmRecording([], false), store, ['oldestDueDate']));
    assert.equal(error.code, 'CONFIG');
    assert.match(
      error.message,
      /maps no column for oldestDueDate, so they were not written; add them to its custom fields/,
    );
  });
});
