/** The Dataverse-specific settings of a connection, read and checked once when the driver is built. */
import { configError, type ConnectionConfig } from '../connection';
import { isCurrencyCode, type CurrencyCode } from './codes';

export interface DataverseSettings {
  /** This connection's system name: the key of `accountid` in `Customer.ids`. */
  system: string;
  /** The ERP's system name: the key of the ERP number in `Customer.ids`. */
  erpSystem: string;
  /** The account column holding the ERP customer number; it must be an alternate key for upserts. */
  erpNumberColumn: string;
  /** The account column for the canonical `taxId`, when the connection maps one (Dataverse has none). */
  taxIdColumn?: string;
  /** The account column for the canonical payment terms code, when the connection maps one. */
  paymentTermsColumn?: string;
  /** Canonical `custom.<name>` → account column. */
  customColumns: ReadonlyArray<readonly [name: string, column: string]>;
  /** Currency of invoices whose transaction currency is not known. */
  localCurrency: CurrencyCode;
  /** Rows per page requested with `Prefer: odata.maxpagesize`. */
  pageSize: number;
}

/** The mapping name that maps the canonical top-level `taxId` rather than a `custom` field. */
export const TAX_ID_MAPPING = 'taxId';
/** The mapping name that maps the canonical top-level `paymentTerms` (a code such as "30 DAYS"). */
export const PAYMENT_TERMS_MAPPING = 'paymentTerms';
const DEFAULT_ERP_NUMBER_COLUMN = 'new_erpcustomerno';
const DEFAULT_ERP_SYSTEM = 'erp';
const DEFAULT_LOCAL_CURRENCY = 'EUR';
const DEFAULT_PAGE_SIZE = 500;
/** Dataverse's largest (and default) page. */
const MAX_PAGE_SIZE = 5000;
/** Logical column names: letters, digits and underscores (custom ones carry a publisher prefix). */
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function readSettings(config: ConnectionConfig): DataverseSettings {
  const { system, options } = config;
  const column = (value: string, what: string): string => {
    if (!COLUMN_NAME.test(value)) {
      throw configError(system, `${system}: ${what} "${value}" is not a Dataverse column name (letters, digits, _)`);
    }
    return value;
  };

  const erpSystem = options['erpSystem'] || DEFAULT_ERP_SYSTEM;
  if (erpSystem === system) {
    throw configError(system, `${system}: the ERP system name must differ from this connection's system name`);
  }
  const localCurrency = (options['localCurrency'] || DEFAULT_LOCAL_CURRENCY).toUpperCase();
  if (!isCurrencyCode(localCurrency)) {
    throw configError(system, `${system}: local currency "${localCurrency}" is not an ISO 4217 currency code`);
  }
  const pageSize = Number(options['pageSize'] || DEFAULT_PAGE_SIZE);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw configError(system, `${system}: page size must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }

  const customColumns = Object.entries(config.customFields)
    .filter(([name]) => name !== TAX_ID_MAPPING && name !== PAYMENT_TERMS_MAPPING)
    .map(([name, target]) => [name, column(target, `the column of custom field "${name}"`)] as const);
  const taxIdTarget = config.customFields[TAX_ID_MAPPING];
  const settings: DataverseSettings = {
    system,
    erpSystem,
    erpNumberColumn: column(options['erpNumberColumn'] || DEFAULT_ERP_NUMBER_COLUMN, 'the ERP number column'),
    customColumns,
    localCurrency,
    pageSize,
  };
  if (taxIdTarget !== undefined) settings.taxIdColumn = column(taxIdTarget, 'the tax id column');
  const termsTarget = config.customFields[PAYMENT_TERMS_MAPPING];
  if (termsTarget !== undefined) settings.paymentTermsColumn = column(termsTarget, 'the payment terms column');
  return settings;
}
