/**
 * The end state the fault suite demands, checked against what the emulators hold (GET /_admin/state) and
 * what the sync store holds: every record written exactly once or kept as a dead letter with a reason that
 * names it, no duplicates in the ERP, links that point at records that exist, watermarks at the last change.
 */
import { externalDocumentKey } from '../../nodes/lib/sync/create-order';
import { boundaryOf } from '../../nodes/lib/sync/read-changes';
import type { DeadLetter, LinkGroup } from '../../nodes/lib/store/ports';
import type { Dataset, Row } from './data';
import type { Feed } from './protocol';

/** What the sync store holds at the end. */
export interface StoreSnapshot {
  customerLinks: LinkGroup[];
  orderLinks: LinkGroup[];
  deadLetters: DeadLetter[];
  /** By feed: the stored watermark, if any. */
  watermarks: Record<Feed, string | undefined>;
}

interface BcState {
  companies: Array<{ id: string; entities: Record<string, Row[]> }>;
}

interface DataverseState {
  entities: Record<string, Row[]>;
}

export interface Verdict {
  violations: string[];
  /** Records of each kind in Business Central that two or more share an e-mail / external document number with. */
  duplicates: { customers: number; orders: number };
  deadLettersByCode: Record<string, number>;
}

/** How many violations of one kind are named before the rest is counted. */
const EXAMPLES = 5;

class Violations {
  private readonly byKind = new Map<string, string[]>();

  add(kind: string, example: string): void {
    const list = this.byKind.get(kind) ?? [];
    list.push(example);
    this.byKind.set(kind, list);
  }

  list(): string[] {
    return [...this.byKind].map(([kind, examples]) => {
      const shown = examples.slice(0, EXAMPLES).join('; ');
      const more = examples.length > EXAMPLES ? `; … ${examples.length - EXAMPLES} more` : '';
      return `${kind} (${examples.length}): ${shown}${more}`;
    });
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const value = key(item);
    if (value === undefined) continue;
    groups.set(value, [...(groups.get(value) ?? []), item]);
  }
  return groups;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function latest(rows: readonly Row[]): string | undefined {
  let found: string | undefined;
  for (const row of rows) {
    const time = text(row.modifiedon);
    if (time !== undefined && (found === undefined || Date.parse(time) > Date.parse(found))) found = time;
  }
  return found;
}

/** What a dead letter's reason must name besides the record: the field, or the rule that refused it. */
const EXPECTED_REASONS: Record<string, { code: string; names: RegExp }> = {
  prospect: { code: 'REJECTED', names: /prospect/ },
  cityTooLong: { code: 'VALIDATION', names: /address\.city/ },
  draft: { code: 'REJECTED', names: /status draft/ },
  customerNotLinked: { code: 'REJECTED', names: /not linked/ },
};

export function verify(
  dataset: Dataset,
  bcCompanyId: string,
  bcState: unknown,
  dataverseState: unknown,
  store: StoreSnapshot,
): Verdict {
  const violations = new Violations();
  const company = (bcState as BcState).companies.find((candidate) => candidate.id === bcCompanyId);
  if (company === undefined) throw new Error(`Business Central has no company ${bcCompanyId}`);
  const bcCustomers = company.entities.customers ?? [];
  const bcOrders = company.entities.salesOrders ?? [];
  const bcLines = company.entities.salesOrderLines ?? [];
  const dvEntities = (dataverseState as DataverseState).entities;
  const salesOrders = new Map((dvEntities.salesorders ?? []).map((row) => [String(row.salesorderid), row]));

  const customersByEmail = groupBy(bcCustomers, (row) => text(row.email)?.toLowerCase());
  const customersByNumber = new Map(bcCustomers.map((row) => [String(row.number), row]));
  const ordersByKey = groupBy(bcOrders, (row) => text(row.externalDocumentNumber));
  const ordersByNumber = new Map(bcOrders.map((row) => [String(row.number), row]));
  const linesByOrder = groupBy(bcLines, (row) => text(row.documentId));
  const customerLinks = new Map(store.customerLinks.flatMap((link) => (link.ids.crm ? [[link.ids.crm, link]] : [])));
  const orderLinks = new Map(store.orderLinks.flatMap((link) => (link.ids.crm ? [[link.ids.crm, link]] : [])));
  const deadLetters = new Map(store.deadLetters.map((letter) => [`${letter.operation} ${letter.key}`, letter]));
  const expectedDeadLetters = new Set<string>();

  const checkDeadLetter = (operation: string, key: string, recordId: string, kind: string): void => {
    expectedDeadLetters.add(`${operation} ${key}`);
    const letter = deadLetters.get(`${operation} ${key}`);
    const expected = EXPECTED_REASONS[kind]!;
    if (letter === undefined) {
      violations.add(`${kind}: neither written nor kept as a dead letter`, recordId);
    } else if (
      letter.code !== expected.code ||
      !letter.reason.includes(recordId) ||
      !expected.names.test(letter.reason)
    ) {
      violations.add(
        `${kind}: dead letter without the expected reason (${expected.code}, naming the record and ${expected.names.source})`,
        `${recordId}: ${letter.code} ${letter.reason}`,
      );
    }
  };

  // Customers.
  const bcNumberOfAccount = new Map<string, string>();
  for (const account of dataset.accounts) {
    const inBc = customersByEmail.get(account.email.toLowerCase()) ?? [];
    if (account.kind !== 'customer') {
      if (inBc.length > 0) violations.add(`${account.kind} account written to Business Central`, account.id);
      if (customerLinks.has(account.id)) violations.add(`${account.kind} account linked`, account.id);
      checkDeadLetter('upsert-customer', `crm:${account.id}`, account.id, account.kind);
      continue;
    }
    if (inBc.length !== 1) {
      violations.add(
        inBc.length === 0 ? 'customer lost: not in Business Central' : 'customer duplicated in Business Central',
        `${account.id} (${account.email}) ×${inBc.length}`,
      );
      continue;
    }
    const number = String(inBc[0]!.number);
    bcNumberOfAccount.set(account.id, number);
    const linked = customerLinks.get(account.id)?.ids.erp;
    if (linked !== number) {
      violations.add(
        'customer not linked to its Business Central record',
        `${account.id} → ${linked ?? 'no link'} (BC ${number})`,
      );
    }
  }

  // Orders.
  const productNumbers = new Map(
    dataset.products.map((product) => [String(product.productid), String(product.productnumber)]),
  );
  for (const order of dataset.orders) {
    const key = externalDocumentKey(order.id);
    const inBc = ordersByKey.get(key) ?? [];
    if (order.kind !== 'won') {
      if (inBc.length > 0) violations.add(`${order.kind} order created in Business Central`, order.id);
      if (orderLinks.has(order.id)) violations.add(`${order.kind} order linked`, order.id);
      checkDeadLetter('create-order', order.id, order.id, order.kind);
      continue;
    }
    if (inBc.length !== 1) {
      violations.add(
        inBc.length === 0 ? 'won order lost: not in Business Central' : 'won order duplicated in Business Central',
        `${order.id} (${key}) ×${inBc.length}`,
      );
      continue;
    }
    const bcOrder = inBc[0]!;
    const number = String(bcOrder.number);
    const customer = bcNumberOfAccount.get(order.accountId);
    if (customer !== undefined && bcOrder.customerNumber !== customer) {
      violations.add(
        'order for the wrong customer',
        `${order.id}: ${String(bcOrder.customerNumber)}, expected ${customer}`,
      );
    }
    const expectedLines = order.lines.map(
      (line) => `${productNumbers.get(String(line._productid_value))}×${String(line.quantity)}`,
    );
    const actualLines = (linesByOrder.get(String(bcOrder.id)) ?? []).map(
      (line) => `${String(line.lineObjectNumber)}×${String(line.quantity)}`,
    );
    if (expectedLines.sort().join(',') !== actualLines.sort().join(',')) {
      violations.add(
        'order lines differ',
        `${order.id}: ${actualLines.join(',')} instead of ${expectedLines.join(',')}`,
      );
    }
    const linked = orderLinks.get(order.id)?.ids.erp;
    if (linked !== number)
      violations.add('order not linked to its sales order', `${order.id} → ${linked ?? 'no link'} (BC ${number})`);
    const writtenBack = salesOrders.get(order.id)?.new_erpordernumber;
    if (writtenBack !== number) {
      violations.add(
        'ERP order number not written back to the CRM order',
        `${order.id}: ${String(writtenBack)} (BC ${number})`,
      );
    }
  }

  // Duplicates anywhere in Business Central, demo data included.
  let duplicateCustomers = 0;
  for (const [email, rows] of customersByEmail) {
    if (rows.length < 2) continue;
    duplicateCustomers += rows.length - 1;
    violations.add(
      'duplicate customers in Business Central',
      `${email}: ${rows.map((row) => String(row.number)).join(', ')}`,
    );
  }
  let duplicateOrders = 0;
  for (const [key, rows] of ordersByKey) {
    if (rows.length < 2) continue;
    duplicateOrders += rows.length - 1;
    violations.add(
      'duplicate sales orders in Business Central',
      `${key}: ${rows.map((row) => String(row.number)).join(', ')}`,
    );
  }

  // Dead letters: only the records that must fail, each naming its record.
  const deadLettersByCode: Record<string, number> = {};
  for (const letter of store.deadLetters) {
    deadLettersByCode[letter.code] = (deadLettersByCode[letter.code] ?? 0) + 1;
    if (expectedDeadLetters.has(`${letter.operation} ${letter.key}`)) continue;
    const crmId = letter.key.replace(/^crm:/, '');
    const inBc =
      letter.operation === 'upsert-customer'
        ? bcNumberOfAccount.has(crmId)
        : ordersByKey.has(externalDocumentKey(crmId));
    violations.add(
      inBc ? 'dead letter left for a record that is in Business Central' : 'unexpected dead letter',
      `${letter.operation} ${letter.key}: ${letter.code} ${letter.reason}`,
    );
  }

  // Links: every id exists on both sides, none is shared.
  const accountIds = new Set(dataset.accounts.map((account) => account.id));
  const orderIds = new Set(dataset.orders.map((order) => order.id));
  const checkLinks = (
    entity: string,
    links: readonly LinkGroup[],
    crmIds: ReadonlySet<string>,
    erpIds: ReadonlyMap<string, Row>,
  ): void => {
    for (const [system, ids] of [
      ['crm', crmIds],
      ['erp', erpIds],
    ] as const) {
      for (const [id, sharing] of groupBy(links, (link) => link.ids[system])) {
        if (!ids.has(id))
          violations.add(
            `${entity} link to a ${system} record that does not exist`,
            `${id} (link ${sharing[0]!.linkId})`,
          );
        if (sharing.length > 1)
          violations.add(
            `${entity} links sharing one ${system} id`,
            `${id}: ${sharing.map((link) => link.linkId).join(', ')}`,
          );
      }
    }
  };
  checkLinks('customer', store.customerLinks, accountIds, customersByNumber);
  checkLinks('order', store.orderLinks, orderIds, ordersByNumber);

  // Watermarks: at the last change of each feed, never beyond it.
  const lastChange: Record<Feed, string | undefined> = {
    customers: latest(dvEntities.accounts ?? []),
    orders: latest(dvEntities.salesorders ?? []),
  };
  for (const feed of ['customers', 'orders'] as const) {
    const stored = store.watermarks[feed];
    const last = lastChange[feed];
    if (stored === undefined || last === undefined) {
      violations.add('watermark missing', `${feed}: ${String(stored)} (last change ${String(last)})`);
      continue;
    }
    const at = Date.parse(boundaryOf(stored).at);
    if (at > Date.parse(last)) violations.add('watermark beyond the last change', `${feed}: ${stored} > ${last}`);
    if (at < Date.parse(last))
      violations.add('watermark behind the last change (feed not up to date)', `${feed}: ${stored} < ${last}`);
  }

  return {
    violations: violations.list(),
    duplicates: { customers: duplicateCustomers, orders: duplicateOrders },
    deadLettersByCode,
  };
}
