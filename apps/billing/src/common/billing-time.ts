import type { BillingCycle } from '@saas/contracts';
import type { Clock } from '@saas/service-kit';

const DAY_MS = 86_400_000;

/** A subscription's own time: the real time plus its sandbox test-clock offset. */
export function subscriptionNow(clock: Clock, sub: { clockOffsetMs: number }): Date {
  return new Date(clock.now().getTime() + sub.clockOffsetMs);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Calendar months in UTC, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(date.getTime());
  d.setUTCDate(1);
  d.setUTCFullYear(y, m, Math.min(date.getUTCDate(), lastDay));
  return d;
}

export function addCycle(date: Date, cycle: BillingCycle): Date {
  return addMonths(date, cycle === 'monthly' ? 1 : 12);
}
