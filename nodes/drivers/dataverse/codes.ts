/** ISO code lists, taken from the canonical model's schema so the driver accepts exactly what the model does. */
import commonSchema from '../../lib/model/schemas/common.schema.json';
import type { Address, InvoiceStatus } from '../../lib/model/types.generated';

export type CountryCode = NonNullable<Address['country']>;
export type CurrencyCode = InvoiceStatus['currency'];

const COUNTRY_CODES: ReadonlySet<string> = new Set(commonSchema.$defs.countryCode.enum);
const CURRENCY_CODES: ReadonlySet<string> = new Set(commonSchema.$defs.currencyCode.enum);

export function isCountryCode(value: string): value is CountryCode {
  return COUNTRY_CODES.has(value);
}

export function isCurrencyCode(value: string): value is CurrencyCode {
  return CURRENCY_CODES.has(value);
}
