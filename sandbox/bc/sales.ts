import { randomUUID } from 'node:crypto';
import { isGuid } from '../kit/fields';
import type { Row } from '../kit/store';
import type { CompanyData } from './company-data';
import { bcErrors, navGuid } from './errors';
import { ZERO_GUID, type NumberSeries } from './model';

/** Business logic behind customers, sales orders, order lines and posted invoices. */

/** The demo company is German: domestic customers pay 19 % VAT, foreign ones none (EU reverse charge/export). */
const DOMESTIC_COUNTRY = 'DE';
const DOMESTIC_VAT_PERCENT = 19;

const POSTED_INVOICE_SERIES: NumberSeries = { prefix: 'PS-INV', lastUsed: 103006, step: 1, digits: 6 };

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function round2(value: number): number {
  return Math.round((value + Number.EPSILON) * 100) / 100;
}

function amount(row: Row, field: string): number {
  const value = row[field];
  return typeof value === 'number' ? value : 0;
}

function sum(rows: readonly Row[], field: string): number {
  return round2(rows.reduce((total, row) => total + amount(row, field), 0));
}

/** customerFinancialDetail: what the customer owes on posted invoices. */
export function financialDetails(company: CompanyData, customer: Row): Row & { id: string } {
  const posted = company
    .rows('salesInvoices')
    .filter(
      (invoice) => invoice.customerId === customer.id && (invoice.status === 'Open' || invoice.status === 'Paid'),
    );
  const overdue = posted.filter((invoice) => invoice.status === 'Open' && String(invoice.dueDate) < today());
  return {
    id: String(customer.id),
    number: customer.number,
    balance: sum(posted, 'remainingAmount'),
    totalSalesExcludingTax: sum(posted, 'totalAmountExcludingTax'),
    overdueAmount: sum(overdue, 'remainingAmount'),
    lastModifiedDateTime: customer.lastModifiedDateTime,
  };
}

/** Keeps currencyId and currencyCode consistent, whichever of the two the client wrote. */
export function syncCurrency(company: CompanyData, row: Row, written: ReadonlySet<string>): void {
  if (written.has('currencyCode')) {
    const currencyCode = String(row.currencyCode);
    const currency = company.findRow('currencies', (candidate) => candidate.code === currencyCode);
    if (currencyCode !== '' && currency === undefined)
      throw bcErrors.relatedRecordNotFound('Currency', `Code='${currencyCode}'`);
    row.currencyId = currency?.id ?? ZERO_GUID;
  } else if (written.has('currencyId')) {
    const currencyId = String(row.currencyId);
    const currency = company.find('currencies', currencyId)?.row;
    if (currencyId !== ZERO_GUID && currency === undefined)
      throw bcErrors.relatedRecordNotFound('Currency', `Id='${navGuid(currencyId)}'`);
    row.currencyCode = currency?.code ?? '';
  }
}

export function checkPaymentTerms(company: CompanyData, row: Row): void {
  const paymentTermsId = String(row.paymentTermsId);
  if (paymentTermsId !== ZERO_GUID && company.find('paymentTerms', paymentTermsId) === undefined) {
    throw bcErrors.relatedRecordNotFound('Payment Terms', `Id='${navGuid(paymentTermsId)}'`);
  }
}

// ---------------------------------------------------------------- sales orders

/**
 * Fills a new or re-assigned order from its customer. `written` holds the fields the client sent, which
 * win over the customer's defaults.
 */
export function completeOrder(company: CompanyData, order: Row, written: ReadonlySet<string>, isNew: boolean): void {
  if (isNew || written.has('customerId') || written.has('customerNumber')) {
    const customer = resolveCustomer(company, order, written);
    const blocked = String(customer.blocked);
    if (blocked === 'Ship' || blocked === 'All') {
      throw bcErrors.dialog(
        `You cannot create this type of document when Customer ${String(customer.number)} is blocked with type ${blocked}`,
      );
    }
    const defaults: Row = {
      customerId: customer.id,
      customerNumber: customer.number,
      customerName: customer.displayName,
      billToName: customer.displayName,
      billToCustomerId: customer.id,
      billToCustomerNumber: customer.number,
      shipToName: customer.displayName,
      currencyId: customer.currencyId,
      currencyCode: customer.currencyCode,
      paymentTermsId: customer.paymentTermsId,
      shipmentMethodId: customer.shipmentMethodId,
      salesperson: customer.salespersonCode,
      phoneNumber: customer.phoneNumber,
      email: customer.email,
    };
    for (const prefix of ['sellTo', 'billTo', 'shipTo']) {
      defaults[`${prefix}AddressLine1`] = customer.addressLine1;
      defaults[`${prefix}AddressLine2`] = customer.addressLine2;
      defaults[`${prefix}City`] = customer.city;
      defaults[`${prefix}Country`] = customer.country;
      defaults[`${prefix}State`] = customer.state;
      defaults[`${prefix}PostCode`] = customer.postalCode;
    }
    for (const [field, value] of Object.entries(defaults)) {
      if (field === 'customerId' || field === 'customerNumber' || field === 'customerName' || !written.has(field))
        order[field] = value;
    }
  }
  if (isNew) {
    order.status = 'Draft';
    if (!written.has('orderDate')) order.orderDate = today();
    if (!written.has('postingDate')) order.postingDate = today();
  }
  syncCurrency(company, order, written);
  checkPaymentTerms(company, order);
}

function resolveCustomer(company: CompanyData, order: Row, written: ReadonlySet<string>): Row {
  if (written.has('customerId') && order.customerId !== ZERO_GUID) {
    const customer = company.find('customers', String(order.customerId))?.row;
    if (customer === undefined)
      throw bcErrors.relatedRecordNotFound('Customer', `Id='${navGuid(String(order.customerId))}'`);
    return customer;
  }
  if (written.has('customerNumber') && order.customerNumber !== '') {
    const customer = company.findRow('customers', (candidate) => candidate.number === order.customerNumber);
    if (customer === undefined)
      throw bcErrors.relatedRecordNotFound('Customer', `No.='${String(order.customerNumber)}'`);
    return customer;
  }
  throw bcErrors.dialog('A customerNumber or a customerID must be provided.');
}

function taxPercentFor(order: Row | undefined): number {
  const country = String(order?.sellToCountry ?? '');
  return country === '' || country === DOMESTIC_COUNTRY ? DOMESTIC_VAT_PERCENT : 0;
}

function linesOf(company: CompanyData, orderId: string): Row[] {
  return company.rows('salesOrderLines').filter((line) => line.documentId === orderId);
}

/** The computed part of an order: totals over its lines, less the invoice discount. */
export function representOrder(company: CompanyData, order: Row): Row {
  const lines = linesOf(company, String(order.id)).map((line) => representLine(company, line, order));
  const linesExcludingTax = sum(lines, 'amountExcludingTax');
  const linesTax = sum(lines, 'totalTaxAmount');
  const invoiceDiscount = Math.min(amount(order, 'discountAmount'), linesExcludingTax);
  const excludingTax = round2(linesExcludingTax - invoiceDiscount);
  const tax = linesExcludingTax === 0 ? 0 : round2((linesTax * excludingTax) / linesExcludingTax);
  return {
    discountAppliedBeforeTax: true,
    totalAmountExcludingTax: excludingTax,
    totalTaxAmount: tax,
    totalAmountIncludingTax: round2(excludingTax + tax),
    fullyShipped: false,
  };
}

// ---------------------------------------------------------------- order lines

/**
 * Completes a line from its item: number, description, unit of measure and, when the client gave none,
 * the item's unit price.
 */
export function completeLine(
  company: CompanyData,
  order: Row,
  line: Row,
  written: ReadonlySet<string>,
  isNew: boolean,
): void {
  line.documentId = order.id;
  if (isNew && !written.has('sequence')) {
    line.sequence =
      Math.max(0, ...linesOf(company, String(order.id)).map((other) => amount(other, 'sequence'))) + 10000;
  }
  const refersToItem = written.has('itemId') || written.has('lineObjectNumber');
  if (isNew && !written.has('lineType')) line.lineType = refersToItem ? 'Item' : 'Comment';
  if (line.lineType === 'Item' && refersToItem) {
    const item = resolveItem(company, line, written);
    if (item.blocked === true) {
      throw bcErrors.fieldValidation(
        `Blocked must be equal to 'No'  in Item: No.=${String(item.number)}. Current value is 'Yes'.`,
      );
    }
    line.itemId = item.id;
    line.lineObjectNumber = item.number;
    if (!written.has('description')) line.description = item.displayName;
    if (!written.has('unitOfMeasureCode')) line.unitOfMeasureCode = item.baseUnitOfMeasureCode;
    if (!written.has('unitPrice')) line.unitPrice = item.unitPrice;
  }
  if (written.has('discountAmount') && !written.has('discountPercent')) {
    const gross = amount(line, 'quantity') * amount(line, 'unitPrice');
    line.discountPercent = gross === 0 ? 0 : round2((amount(line, 'discountAmount') / gross) * 100);
  }
  delete line.discountAmount;
  for (const quantityField of ['invoiceQuantity', 'shipQuantity']) {
    if (!written.has(quantityField) && (isNew || written.has('quantity'))) line[quantityField] = line.quantity;
  }
}

function resolveItem(company: CompanyData, line: Row, written: ReadonlySet<string>): Row {
  if (written.has('itemId') && isGuid(line.itemId) && line.itemId !== ZERO_GUID) {
    const item = company.find('items', line.itemId)?.row;
    if (item === undefined) throw bcErrors.relatedRecordNotFound('Item', `Id='${navGuid(line.itemId)}'`);
    return item;
  }
  const item = company.findRow('items', (candidate) => candidate.number === line.lineObjectNumber);
  if (item === undefined) throw bcErrors.relatedRecordNotFound('Item', `No.='${String(line.lineObjectNumber)}'`);
  return item;
}

/** The computed part of a line: discount, amounts and tax. */
export function representLine(company: CompanyData, line: Row, order?: Row): Row {
  const header = order ?? company.find('salesOrders', String(line.documentId))?.row;
  const taxPercent = line.lineType === 'Comment' ? 0 : taxPercentFor(header);
  const gross = round2(amount(line, 'quantity') * amount(line, 'unitPrice'));
  const discountAmount = round2((gross * amount(line, 'discountPercent')) / 100);
  const excludingTax = round2(gross - discountAmount);
  const tax = round2((excludingTax * taxPercent) / 100);
  return {
    discountAmount,
    discountAppliedBeforeTax: false,
    amountExcludingTax: excludingTax,
    taxPercent,
    totalTaxAmount: tax,
    amountIncludingTax: round2(excludingTax + tax),
  };
}

// ---------------------------------------------------------------- posting

/**
 * Microsoft.NAV.shipAndInvoice: posts the order as a sales invoice (status Open, due per payment terms)
 * and, the order being fully invoiced, deletes it with its lines.
 */
export function shipAndInvoice(company: CompanyData, order: Row): Row {
  const lines = linesOf(company, String(order.id)).filter(
    (line) => line.lineType !== 'Comment' && amount(line, 'quantity') !== 0,
  );
  if (lines.length === 0) throw bcErrors.dialog('There is nothing to post.');
  const customer = company.find('customers', String(order.customerId))?.row;
  const blocked = String(customer?.blocked ?? ' ');
  if (blocked === 'Invoice' || blocked === 'All') {
    throw bcErrors.dialog(
      `You cannot post this type of document when Customer ${String(order.customerNumber)} is blocked with type ${blocked}`,
    );
  }
  const totals = representOrder(company, order);
  const paymentTerms = company.find('paymentTerms', String(order.paymentTermsId))?.row;
  const invoice: Row & { id: string } = {
    id: randomUUID(),
    number: company.nextNumber('postedSalesInvoices', POSTED_INVOICE_SERIES),
    externalDocumentNumber: order.externalDocumentNumber,
    invoiceDate: today(),
    postingDate: today(),
    dueDate: addDateFormula(today(), String(paymentTerms?.dueDateCalculation ?? '')),
    customerId: order.customerId,
    customerNumber: order.customerNumber,
    customerName: order.customerName,
    billToName: order.billToName,
    billToCustomerId: order.billToCustomerId,
    billToCustomerNumber: order.billToCustomerNumber,
    orderId: order.id,
    orderNumber: order.number,
    currencyId: order.currencyId,
    currencyCode: order.currencyCode,
    paymentTermsId: order.paymentTermsId,
    pricesIncludeTax: order.pricesIncludeTax,
    discountAmount: order.discountAmount,
    totalAmountExcludingTax: totals.totalAmountExcludingTax,
    totalTaxAmount: totals.totalTaxAmount,
    totalAmountIncludingTax: totals.totalAmountIncludingTax,
    remainingAmount: totals.totalAmountIncludingTax,
    status: 'Open',
  };
  company.put('salesInvoices', invoice);
  for (const line of linesOf(company, String(order.id))) company.remove('salesOrderLines', String(line.id));
  company.remove('salesOrders', String(order.id));
  return invoice;
}

/** Applies a BC date formula such as 30D, 2W, 1M or 1Y to an ISO date. */
function addDateFormula(isoDate: string, formula: string): string {
  const match = /^(\d+)([DWMY])$/.exec(formula.trim().toUpperCase());
  const date = new Date(`${isoDate}T00:00:00Z`);
  if (match?.[1] === undefined) return isoDate;
  const count = Number(match[1]);
  if (match[2] === 'D') date.setUTCDate(date.getUTCDate() + count);
  if (match[2] === 'W') date.setUTCDate(date.getUTCDate() + 7 * count);
  if (match[2] === 'M') date.setUTCMonth(date.getUTCMonth() + count);
  if (match[2] === 'Y') date.setUTCFullYear(date.getUTCFullYear() + count);
  return date.toISOString().slice(0, 10);
}
