import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { cyclePrice, findPlan, isAdmin, type PlanCurrency, type RevenueRequest, type RevenueView, type BillingCycle, type TenantPlan } from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { Clock, SERVICE_CONFIG } from '@saas/service-kit';
import type { BillingConfig } from '../config.js';

/**
 * Revenue for operators: what paid invoices brought in (net of tax: tax collected is not revenue),
 * and the recurring revenue of live subscriptions. Currencies are never mixed: the reporting
 * currency is in the top-level figures, every currency in `by_currency`.
 */
@Injectable()
export class RevenueService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: BillingConfig,
  ) {}

  async revenue(req: RevenueRequest): Promise<RevenueView> {
    if (req.caller && !isAdmin(req.caller)) throw new DomainException('FORBIDDEN', 'Only platform admins see revenue.', { status: 403 });
    const since = new Date(this.clock.now().getTime() - 30 * 86_400_000);
    const paid: Array<{ currency: PlanCurrency; plan: string; total: string; last_30: string }> = await this.ds.query(
      `SELECT currency, plan, sum(subtotal)::bigint AS total, coalesce(sum(subtotal) FILTER (WHERE paid_at >= $1), 0)::bigint AS last_30
         FROM invoices WHERE status = 'paid' GROUP BY currency, plan`,
      [since],
    );
    const live: Array<{ currency: PlanCurrency; plan: TenantPlan; billing_cycle: BillingCycle; max_users: number; n: number }> = await this.ds.query(
      `SELECT currency, plan, billing_cycle, max_users, count(*)::int AS n FROM subscriptions
        WHERE status IN ('active', 'past_due') GROUP BY currency, plan, billing_cycle, max_users`,
    );
    const main = this.config.BILLING_CURRENCY;
    const byCurrency: RevenueView['by_currency'] = {};
    const cur = (c: string) => (byCurrency[c] ??= { total_revenue: 0, mrr: 0, last_30_days: 0 });
    const byPlan: RevenueView['by_plan'] = {};
    const plan = (p: string) => (byPlan[p] ??= { subscriptions: 0, mrr: 0, revenue: 0 });
    for (const row of paid) {
      cur(row.currency).total_revenue += Number(row.total);
      cur(row.currency).last_30_days += Number(row.last_30);
      if (row.currency === main) plan(row.plan).revenue += Number(row.total);
    }
    for (const row of live) {
      const def = findPlan(row.plan);
      if (!def) continue;
      const perCycle = cyclePrice(def, row.currency, row.billing_cycle, row.max_users);
      const monthly = row.billing_cycle === 'monthly' ? perCycle : Math.round(perCycle / 12);
      cur(row.currency).mrr += monthly * row.n;
      if (row.currency === main) {
        plan(row.plan).mrr += monthly * row.n;
        plan(row.plan).subscriptions += row.n;
      }
    }
    const top = byCurrency[main] ?? { total_revenue: 0, mrr: 0, last_30_days: 0 };
    return { total_revenue: top.total_revenue, currency: main, mrr: top.mrr, arr: top.mrr * 12, last_30_days: top.last_30_days, by_plan: byPlan, by_currency: byCurrency };
  }
}
