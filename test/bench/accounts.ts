/** The CRM accounts the benchmark loads: plausible, all distinct, each changed one second after the one before. */

export const BENCH_ACCOUNT_PREFIX = 'be0c0000-0000-4000-8000-';

const CITIES = ['Berlin', 'Hamburg', 'München', 'Köln', 'Frankfurt am Main', 'Stuttgart', 'Leipzig', 'Dresden'];

/**
 * Account `index` (1-based) of a load whose first change was at `firstChange`. Distinct modification
 * times keep the read batches at their configured size (records changed at the same instant travel together).
 */
export function benchAccount(index: number, firstChange: number): Record<string, unknown> {
  const changedAt = new Date(firstChange + (index - 1) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    accountid: `${BENCH_ACCOUNT_PREFIX}${String(index).padStart(12, '0')}`,
    name: `Benchmark Customer ${index}`,
    accountnumber: `BN${index}`,
    customertypecode: 3,
    emailaddress1: `customer${index}@bench.example`,
    telephone1: `+49 30 ${1_000_000 + index}`,
    address1_line1: `Teststraße ${1 + (index % 250)}`,
    address1_city: CITIES[index % CITIES.length],
    address1_postalcode: String(10_000 + ((index * 7919) % 89_999)),
    address1_country: 'DE',
    creditlimit: 10_000 + (index % 10) * 1000,
    createdon: changedAt,
    modifiedon: changedAt,
  };
}
