/**
 * Every text of the sandbox page, one table per language. `{name}` marks a value filled in by the page.
 */
const en = {
  title: 'CRM ⇄ ERP sandbox',
  intro: 'Both systems side by side, as the sync sees them. The page updates every 2 seconds.',
  language: 'Language',
  crmSystem: 'CRM: Dataverse sandbox',
  erpSystem: 'ERP: Business Central sandbox, company {company}',
  storeOk: 'Sync store: connected ({backend}), {links} links.',
  storeTruncated: 'Only the first {links} links are shown.',
  storeOff: 'Sync store: not configured (SANDBOX_NODE_RED_URL).',
  storeRefused: 'Sync store not reachable: Node-RED does not answer at {url}.',
  storeTimeout: 'Sync store not reachable: Node-RED at {url} did not answer in time.',
  storeAuth: 'Sync store not reachable: Node-RED at {url} asks for a login (adminAuth).',
  storeMissing: 'Sync store not reachable: Node-RED at {url} has no deployed sync store "{id}".',
  storeFailed: 'Sync store not reachable: it answered {status}: {detail}',
  storeInvalid: 'Sync store not reachable: Node-RED at {url} gave an answer the page cannot read.',
  storeFallback:
    'Records are matched by the keys the systems keep themselves: the ERP customer number in the CRM account, the ERP order number or external document number of an order.',
  updated: 'Updated {time}',
  offline: 'The sandbox does not answer; this is the last state it sent.',
  customers: 'Customers',
  customersHint: 'Dataverse accounts ↔ Business Central customers',
  orders: 'Orders',
  ordersHint: 'Dataverse sales orders ↔ Business Central sales orders',
  invoices: 'Invoice figures in the CRM',
  invoicesHint: 'What the sync wrote to each CRM account, next to the live figures of the ERP.',
  counts: '{linked} linked · {matched} matched by key · {crmOnly} only in the CRM · {erpOnly} only in the ERP',
  invoiceCounts: '{written} of {total} accounts have figures from the ERP · {differing} differ from the ERP now',
  rowsCut: 'showing the first {shown} of {total}',
  empty: 'No records.',
  headCrm: 'CRM (Dataverse)',
  headErp: 'ERP (Business Central)',
  headLink: 'Link',
  colAccount: 'Account',
  colContact: 'Contact details',
  colLink: 'How linked',
  colSynced: 'Last sync',
  colCustomer: 'Customer',
  colOrder: 'Order',
  colStatus: 'Status and amount',
  colName: 'Account',
  colOpen: 'Open balance',
  colOverdue: 'Overdue',
  colOldest: 'Oldest due date',
  colChecked: 'Written to the CRM',
  valueCrm: 'CRM',
  valueErp: 'ERP',
  linkStore: '⇄ linked',
  linkKey: '≈ matched by key',
  linkKeyCustomerHint: 'the CRM account holds the ERP customer number; not linked in the sync store',
  linkKeyOrderHint: 'the ERP order number or external document number matches; not linked in the sync store',
  linkNone: '– not linked',
  linkId: 'link {id}',
  missingCrm: 'the linked record is no longer in the CRM',
  missingErp: 'the linked record is no longer in the ERP',
  onlyCrm: 'not in the ERP',
  onlyErp: 'not in the CRM',
  prospect: 'prospect: not synced',
  inactive: 'inactive',
  toErp: '→ ERP {time}',
  toCrm: '→ CRM {time}',
  linkedAt: 'linked {time}',
  neverSynced: 'not synced yet',
  erpNumber: 'ERP no. {number}',
  blockedShip: 'blocked: shipping',
  blockedInvoice: 'blocked: invoicing',
  blockedAll: 'blocked: all',
  differs: 'differs from the other system',
  externalDocument: 'ext. doc. {number}',
  customerOf: 'for {name}',
  crmOrderActive: 'active',
  crmOrderSubmitted: 'submitted (won)',
  crmOrderCanceled: 'canceled',
  crmOrderFulfilled: 'fulfilled',
  crmOrderInvoiced: 'invoiced',
  erpOrderDraft: 'draft',
  erpOrderInReview: 'in review',
  erpOrderOpen: 'open',
  erpOrderReleased: 'released',
  notWritten: 'not written yet',
  none: '–',
};

export type TextKey = keyof typeof en;

const de: Record<TextKey, string> = {
  title: 'CRM ⇄ ERP Sandbox',
  intro:
    'Beide Systeme nebeneinander, so wie die Synchronisation sie sieht. Die Seite aktualisiert sich alle 2 Sekunden.',
  language: 'Sprache',
  crmSystem: 'CRM: Dataverse-Sandbox',
  erpSystem: 'ERP: Business-Central-Sandbox, Mandant {company}',
  storeOk: 'Sync-Speicher: verbunden ({backend}), {links} Verknüpfungen.',
  storeTruncated: 'Nur die ersten {links} Verknüpfungen werden gezeigt.',
  storeOff: 'Sync-Speicher: nicht eingerichtet (SANDBOX_NODE_RED_URL).',
  storeRefused: 'Sync-Speicher nicht erreichbar: Node-RED antwortet nicht unter {url}.',
  storeTimeout: 'Sync-Speicher nicht erreichbar: Node-RED unter {url} hat nicht rechtzeitig geantwortet.',
  storeAuth: 'Sync-Speicher nicht erreichbar: Node-RED unter {url} verlangt eine Anmeldung (adminAuth).',
  storeMissing: 'Sync-Speicher nicht erreichbar: Node-RED unter {url} hat keinen Sync-Speicher „{id}“ im Einsatz.',
  storeFailed: 'Sync-Speicher nicht erreichbar: Antwort {status}: {detail}',
  storeInvalid: 'Sync-Speicher nicht erreichbar: Node-RED unter {url} hat eine unlesbare Antwort geschickt.',
  storeFallback:
    'Die Datensätze werden über die Schlüssel zugeordnet, die die Systeme selbst führen: die ERP-Debitorennummer in der CRM-Firma, die ERP-Auftragsnummer oder externe Belegnummer eines Auftrags.',
  updated: 'Aktualisiert {time}',
  offline: 'Die Sandbox antwortet nicht; gezeigt wird der letzte Stand.',
  customers: 'Kunden',
  customersHint: 'Dataverse-Firmen ↔ Business-Central-Debitoren',
  orders: 'Aufträge',
  ordersHint: 'Dataverse-Aufträge ↔ Business-Central-Verkaufsaufträge',
  invoices: 'Rechnungszahlen im CRM',
  invoicesHint: 'Was die Synchronisation in die CRM-Firma geschrieben hat, neben den aktuellen Zahlen des ERP.',
  counts: '{linked} verknüpft · {matched} über Schlüssel zugeordnet · {crmOnly} nur im CRM · {erpOnly} nur im ERP',
  invoiceCounts: '{written} von {total} Firmen haben Zahlen aus dem ERP · {differing} weichen jetzt vom ERP ab',
  rowsCut: 'gezeigt werden die ersten {shown} von {total}',
  empty: 'Keine Datensätze.',
  headCrm: 'CRM (Dataverse)',
  headErp: 'ERP (Business Central)',
  headLink: 'Verknüpfung',
  colAccount: 'Firma',
  colContact: 'Kontaktdaten',
  colLink: 'Wie verknüpft',
  colSynced: 'Zuletzt synchronisiert',
  colCustomer: 'Debitor',
  colOrder: 'Auftrag',
  colStatus: 'Status und Betrag',
  colName: 'Firma',
  colOpen: 'Offener Saldo',
  colOverdue: 'Überfällig',
  colOldest: 'Älteste Fälligkeit',
  colChecked: 'Ins CRM geschrieben',
  valueCrm: 'CRM',
  valueErp: 'ERP',
  linkStore: '⇄ verknüpft',
  linkKey: '≈ über Schlüssel',
  linkKeyCustomerHint: 'die CRM-Firma trägt die ERP-Debitorennummer; im Sync-Speicher nicht verknüpft',
  linkKeyOrderHint: 'ERP-Auftragsnummer oder externe Belegnummer stimmen überein; im Sync-Speicher nicht verknüpft',
  linkNone: '– nicht verknüpft',
  linkId: 'Verknüpfung {id}',
  missingCrm: 'der verknüpfte Datensatz ist nicht mehr im CRM',
  missingErp: 'der verknüpfte Datensatz ist nicht mehr im ERP',
  onlyCrm: 'nicht im ERP',
  onlyErp: 'nicht im CRM',
  prospect: 'Interessent: wird nicht synchronisiert',
  inactive: 'inaktiv',
  toErp: '→ ERP {time}',
  toCrm: '→ CRM {time}',
  linkedAt: 'verknüpft {time}',
  neverSynced: 'noch nicht synchronisiert',
  erpNumber: 'ERP-Nr. {number}',
  blockedShip: 'gesperrt: Lieferung',
  blockedInvoice: 'gesperrt: Rechnung',
  blockedAll: 'gesperrt: alles',
  differs: 'weicht vom anderen System ab',
  externalDocument: 'ext. Beleg {number}',
  customerOf: 'für {name}',
  crmOrderActive: 'aktiv',
  crmOrderSubmitted: 'übermittelt (gewonnen)',
  crmOrderCanceled: 'storniert',
  crmOrderFulfilled: 'erfüllt',
  crmOrderInvoiced: 'fakturiert',
  erpOrderDraft: 'Entwurf',
  erpOrderInReview: 'in Prüfung',
  erpOrderOpen: 'offen',
  erpOrderReleased: 'freigegeben',
  notWritten: 'noch nicht geschrieben',
  none: '–',
};

export type PageLang = 'en' | 'de';

export const PAGE_TEXTS: Readonly<Record<PageLang, Readonly<Record<TextKey, string>>>> = { en, de };

/**
 * The page's language: `?lang=` if it names one, else the first language of Accept-Language (by
 * weight) that the page has, else English.
 */
export function pageLanguage(acceptLanguage: string | undefined, requested?: string | null): PageLang {
  if (requested === 'de' || requested === 'en') return requested;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', weight: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { primary } of ranked) {
    if (primary === 'de' || primary === 'en') return primary;
  }
  return 'en';
}
