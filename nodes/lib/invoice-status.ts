/**
 * Where an invoice's payment stands, from the figures the ERP computes. Shared by the ERP drivers
 * (Business Central API, NAV on SQL Server) so both report the same status for the same invoice.
 */
import type { InvoiceStatus } from './model/types.generated';

export interface InvoicePaymentFacts {
  /** The invoice total including tax. */
  amount: number;
  /** What the customer still owes on it. */
  remainingAmount: number;
  /** ISO date (YYYY-MM-DD). */
  dueDate: string;
  /** The ERP cancelled the invoice (e.g. BC status Canceled, a corrective credit memo applied in full). */
  cancelled?: boolean;
  /** The ERP marks the invoice paid (closed), whatever the remaining amount says. */
  paid?: boolean;
}

export type InvoicePaymentStatus = Pick<InvoiceStatus, 'status' | 'daysOverdue'>;

const DAY_MS = 86_400_000;

/** Today's date on the calendar of the machine (the ERP's due dates are calendar dates, not instants). */
export function localIsoDate(now: Date = new Date()): string {
  const month = String(now.getMonth() + 1).padStart(2, '0');
  const day = String(now.getDate()).padStart(2, '0');
  return `${now.getFullYear()}-${month}-${day}`;
}

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * Rules, first match wins: cancelled → `cancelled`; paid, or nothing remaining → `paid`; past its due date
 * with something remaining → `overdue` (even when partly paid: the late part is what a reminder is about);
 * partly paid → `partiallyPaid`; otherwise `open`. `daysOverdue` counts whole days past the due date, 0 unless overdue.
 */
export function invoicePaymentStatus(facts: InvoicePaymentFacts, today: string = localIsoDate()): InvoicePaymentStatus {
  if (facts.cancelled === true) return { status: 'cancelled', daysOverdue: 0 };
  if (facts.paid === true || facts.remainingAmount <= 0) return { status: 'paid', daysOverdue: 0 };
  const daysPastDue = daysBetween(facts.dueDate, today);
  if (daysPastDue > 0) return { status: 'overdue', daysOverdue: daysPastDue };
  if (facts.remainingAmount < facts.amount) return { status: 'partiallyPaid', daysOverdue: 0 };
  return { status: 'open', daysOverdue: 0 };
}
