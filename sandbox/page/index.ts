export { startSandboxPage, type SandboxPage, type SandboxPageOptions } from './server';
export { readStoreLinks, type NodeRedStore } from './sync-store';
export { PAGE_TEXTS, pageLanguage, type PageLang, type TextKey } from './texts';
export type { CustomerRow, InvoiceRow, OrderRow, PageView, RowLink, StoreLink, StoreLinks, StoreStatus } from './view';
export { buildView } from './view';
