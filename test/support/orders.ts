/** What the order tests share: an order the BC seed can take, the ERP's orders by key, and a store that crashes. */
import type { SyncStore } from '../../nodes/lib/store';
import type { BcEmulator } from '../../sandbox';
import { sampleOrder } from './samples';

/** A won order for BC customer 20000 (Fabrikam) with two seeded items. */
export function erpReadyOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return sampleOrder({
    customer: { ids: { crm: 'A-2000', erp: '20000' } },
    lines: [
      { itemNumber: '1896-S', quantity: 2, unitPrice: 900 },
      { itemNumber: '1900-S', quantity: 4, discountPercent: 5 },
    ],
    ...overrides,
  });
}

export interface BcOrderRow {
  number: string;
  externalDocumentNumber: string;
  customerNumber: string;
  currencyCode: string;
}

export interface BcLineRow {
  documentId: string;
  lineObjectNumber: string;
  unitPrice: number;
}

function company(bc: BcEmulator): { salesOrders: Array<BcOrderRow & { id: string }>; salesOrderLines: BcLineRow[] } {
  const state = bc.state() as {
    companies: Array<{ entities: { salesOrders: Array<BcOrderRow & { id: string }>; salesOrderLines: BcLineRow[] } }>;
  };
  return state.companies[0]!.entities;
}

/** The BC sales orders with this external document number, read from the emulator's state. */
export function bcOrdersWith(bc: BcEmulator, externalDocumentNumber: string): BcOrderRow[] {
  return company(bc).salesOrders.filter((order) => order.externalDocumentNumber === externalDocumentNumber);
}

/** The item numbers and unit prices of a BC order's lines. */
export function bcLinesOf(bc: BcEmulator, orderNumber: string): Array<[string, number]> {
  const entities = company(bc);
  const order = entities.salesOrders.find((candidate) => candidate.number === orderNumber);
  return entities.salesOrderLines
    .filter((line) => line.documentId === order?.id)
    .map((line) => [line.lineObjectNumber, line.unitPrice]);
}

/** The store, except that its next `times` link writes fail as if the process died before them. */
export function storeLosingLinks(store: SyncStore, times = 1): SyncStore {
  let failures = times;
  return new Proxy(store, {
    get(target, property) {
      if (property === 'link' && failures > 0) {
        return () => {
          failures--;
          return Promise.reject(new Error('simulated crash between the ERP write and the link write'));
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
