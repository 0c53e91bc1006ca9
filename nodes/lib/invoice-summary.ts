/**
 * What a list of invoices adds up to: open and overdue balances, the oldest open due date. Money is
 * summed in integer minor units (cents), so a long list does not drift the way float sums do.
 */
import type { InvoiceStatus } from './model/types.generated';

export interface CurrencyBalance {
  count: number;
  openBalance: number;
  overdueBalance: number;
}

interface SummaryBase {
  /** How many invoices were found, whatever their status. */
  count: number;
  /** The earliest due date of the invoices still to be paid (open, partially paid, overdue); null when none is. */
  oldestDueDate: string | null;
  overdueCount: number;
}

/** All invoices in one currency (or none at all): the balances are plain sums. */
export interface SingleCurrencySummary extends SummaryBase {
  /** Absent when there are no invoices. */
  currency?: string;
  openBalance: number;
  overdueBalance: number;
}

/** Invoices in several currencies: amounts of different currencies are never added, only summed per currency. */
export interface MixedCurrencySummary extends SummaryBase {
  currencies: Record<string, CurrencyBalance>;
}

export type InvoiceSummary = SingleCurrencySummary | MixedCurrencySummary;

/** ISO 4217 currencies with more than two decimals; sums of all others are exact in cents. */
const MINOR_UNIT_DIGITS: Readonly<Record<string, number>> = {
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

const OPEN_STATUSES: ReadonlySet<InvoiceStatus['status']> = new Set(['open', 'partiallyPaid', 'overdue']);

function isOpenInvoice(invoice: InvoiceStatus): boolean {
  return OPEN_STATUSES.has(invoice.status);
}

/** Scale of a currency's minor unit, never coarser than cents (zero-decimal amounts are whole cents too). */
function minorUnitScale(currency: string): number {
  return 10 ** Math.max(2, MINOR_UNIT_DIGITS[currency] ?? 2);
}

/** Sums amounts of one currency in integer minor units. */
class MinorUnitSum {
  private units = 0;

  constructor(private readonly scale: number) {}

  add(amount: number): void {
    this.units += Math.round(amount * this.scale);
  }

  get value(): number {
    return this.units / this.scale;
  }
}

interface CurrencyTotals {
  count: number;
  open: MinorUnitSum;
  overdue: MinorUnitSum;
}

export function summarizeInvoices(invoices: readonly InvoiceStatus[]): InvoiceSummary {
  const totals = new Map<string, CurrencyTotals>();
  let oldestDueDate: string | null = null;
  let overdueCount = 0;
  for (const invoice of invoices) {
    let currency = totals.get(invoice.currency);
    if (!currency) {
      const scale = minorUnitScale(invoice.currency);
      currency = { count: 0, open: new MinorUnitSum(scale), overdue: new MinorUnitSum(scale) };
      totals.set(invoice.currency, currency);
    }
    currency.count++;
    if (!isOpenInvoice(invoice)) continue;
    currency.open.add(invoice.remainingAmount);
    // ISO dates (YYYY-MM-DD) compare correctly as text.
    if (invoice.dueDate && (oldestDueDate === null || invoice.dueDate < oldestDueDate)) oldestDueDate = invoice.dueDate;
    if (invoice.status === 'overdue') {
      currency.overdue.add(invoice.remainingAmount);
      overdueCount++;
    }
  }
  const count = invoices.length;
  const balances = [...totals].map(([code, sums]): [string, CurrencyBalance] => [
    code,
    { count: sums.count, openBalance: sums.open.value, overdueBalance: sums.overdue.value },
  ]);
  const [only, ...others] = balances;
  if (!only) return { count, openBalance: 0, overdueBalance: 0, oldestDueDate, overdueCount };
  if (others.length > 0) return { count, currencies: Object.fromEntries(balances), oldestDueDate, overdueCount };
  const [currency, { openBalance, overdueBalance }] = only;
  return { count, currency, openBalance, overdueBalance, oldestDueDate, overdueCount };
}

/**
 * The open and overdue balance as single amounts, when they exist: with one currency, or with several of
 * which only one still has something open (an old paid invoice in another currency does not matter).
 */
export function singleCurrencyBalances(
  summary: InvoiceSummary,
): { openBalance: number; overdueBalance: number } | undefined {
  if (!('currencies' in summary)) return { openBalance: summary.openBalance, overdueBalance: summary.overdueBalance };
  const owing = Object.values(summary.currencies).filter((balance) => balance.openBalance !== 0);
  if (owing.length > 1) return undefined;
  return { openBalance: owing[0]?.openBalance ?? 0, overdueBalance: owing[0]?.overdueBalance ?? 0 };
}
