/** Sample records of the canonical model, valid as they stand; tests derive invalid ones from them. */
export function sampleCustomer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ids: { crm: 'A-1001', erp: '10000' },
    name: 'Adatum Maschinenbau GmbH',
    taxId: 'DE123456789',
    email: 'einkauf@adatum.example',
    phone: '+49 89 1234567',
    address: { line1: 'Leopoldstraße 12', city: 'München', postCode: '80802', country: 'DE' },
    currency: 'EUR',
    paymentTerms: '30D',
    creditLimit: 50000,
    blocked: 'none',
    lifecycle: 'customer',
    ...overrides,
  };
}

export function sampleOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sourceId: 'SO-2026-0042',
    customer: { ids: { crm: 'A-1001' } },
    orderDate: '2026-11-20',
    currency: 'EUR',
    status: 'won',
    lines: [
      { itemNumber: '1000', description: 'Bicycle', quantity: 2 },
      { itemNumber: '1100', quantity: 1, unitPrice: 120.5, discountPercent: 5 },
    ],
    ...overrides,
  };
}

export function sampleInvoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    invoiceNumber: 'PS-INV103001',
    customer: { ids: { erp: '10000' }, number: '10000' },
    order: { number: 'SO-1001' },
    postingDate: '2026-10-01',
    dueDate: '2026-10-31',
    currency: 'EUR',
    amount: 1250,
    remainingAmount: 250,
    status: 'overdue',
    daysOverdue: 22,
    ...overrides,
  };
}
