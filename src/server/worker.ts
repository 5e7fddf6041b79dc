/**
 * The server's background work, one loop per process:
 *  - refresh: customers queued by events and API changes get their scores re-computed from the
 *    last model fit and their stages re-evaluated (reevaluation as in src/store/lifecycle-analysis.ts);
 *    a stage change writes `customer.stage_changed` to the webhook outbox in the same transaction;
 *  - delivery: due webhook deliveries are POSTed, signed, and retried with exponential backoff.
 *
 * Signature (header `Tenure-Signature: t=<unix seconds>,v1=<hex>`): HMAC-SHA256 with the
 * subscription's secret over `${t}.${body}` — the scheme Stripe documents ("Verify webhook
 * signatures"), so receivers can reject replays by checking t.
 */
import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { StageModel } from '../engine/index.js';
import { TenureError } from '../errors.js';
import { type CustomerChurnScore, scoreChurnForCustomers } from '../store/churn-analysis.js';
import type { Db } from '../store/db.js';
import { claimRefreshBatch } from '../store/event-repo.js';
import {
  currentStages,
  customerAlerts,
  type LastFit,
  lastChosenFit,
  lastHistoryDays,
  rescoreCustomers,
  warningLevels,
} from '../store/incremental-repo.js';
import { runLifecycleAnalysis } from '../store/lifecycle-analysis.js';
import { rescoreCustomerSegments } from '../store/segment-analysis.js';
import { openMemberships } from '../store/segment-repo.js';
import {
  claimDueDeliveries,
  type DueDelivery,
  enqueueWebhookEvent,
  recordDeliveryAttempt,
} from '../store/webhook-repo.js';
import { storedStageModels } from './stage-models.js';

const DAY_MS = 86_400_000;

export interface WorkerOptions {
  /** first retry delay; doubles with each attempt (default 1 s, at most 1 h) */
  baseDelayMs?: number;
  /** attempts before a delivery is given up (default 8) */
  maxAttempts?: number;
  /** how often to look for work when not woken (default 1 s) */
  pollMs?: number;
  now?: () => Date;
}

export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Re-scores and re-evaluates `customerIds` inside `tx` (customers whose history already runs
 * past `now`, as a demo dated ahead does, are evaluated at their last history day); returns the
 * stage changes, each written to the webhook outbox in the same transaction.
 */
export async function refreshCustomers(
  tx: Db,
  customerIds: readonly string[],
  now: Date,
  models: readonly StageModel[],
  fit?: LastFit | null,
): Promise<{ customerId: string; model: string; from: string | null; to: string }[]> {
  const last = await lastHistoryDays(tx, customerIds);
  const byDay = new Map<number, string[]>();
  for (const id of customerIds) {
    const at = last.get(id);
    const asOf = at && at.getTime() > now.getTime() ? at : now;
    const day = Math.floor(asOf.getTime() / DAY_MS) * DAY_MS;
    byDay.set(day, [...(byDay.get(day) ?? []), id]);
  }
  const keys = models.map((m) => m.key);
  const changes: { customerId: string; model: string; from: string | null; to: string }[] = [];
  for (const [dayMs, ids] of byDay) {
    const day = new Date(dayMs);
    await rescoreCustomers(tx, ids, day, fit);
    const before = await currentStages(tx, ids, keys);
    await runLifecycleAnalysis(tx, { asOf: day, customerIds: ids, models });
    const after = await currentStages(tx, ids, keys);
    for (const id of ids) {
      for (const model of keys) {
        const k = `${id}\u0000${model}`;
        const was = before.get(k)?.stage ?? null;
        const now_ = after.get(k);
        if (!now_ || now_.stage === was) continue;
        changes.push({ customerId: id, model, from: was, to: now_.stage });
        await enqueueWebhookEvent(tx, 'customer.stage_changed', id, {
          customerId: id,
          model,
          from: was,
          to: now_.stage,
          changedAt: now_.changedAt.toISOString(),
          reason: { zh: now_.reason, en: now_.reasonData.en ?? null },
          ruleId: now_.reasonData.ruleId ?? null,
        });
      }
    }
    await refreshSegmentsAndRisk(tx, ids, day);
  }
  return changes;
}

/**
 * After the stage: the customers' RFM/tier/cluster and saved-segment memberships (the segment
 * store's incremental path, with a webhook event for each membership that began or ended), then their churn risk with the latest stored churn model, its
 * alerts, and the webhook events for a changed warning level and each new alert. A business
 * without a segmentation run or a churn model yet simply skips those parts.
 */
async function refreshSegmentsAndRisk(tx: Db, ids: readonly string[], day: Date): Promise<void> {
  const asOf = day.toISOString().slice(0, 10);
  const membersBefore = await openMemberships(tx, ids);
  try {
    await tx.transaction((inner) => rescoreCustomerSegments(inner, ids, asOf));
  } catch (error) {
    if (!(error instanceof TenureError)) throw error;
  }
  const membersAfter = await openMemberships(tx, ids);
  for (const [key, m] of membersAfter) {
    if (membersBefore.has(key)) continue;
    await enqueueWebhookEvent(tx, 'segment.member_joined', m.customerId, { ...m, asOf });
  }
  for (const [key, m] of membersBefore) {
    if (membersAfter.has(key)) continue;
    await enqueueWebhookEvent(tx, 'segment.member_left', m.customerId, { ...m, asOf });
  }
  const levelsBefore = await warningLevels(tx, ids, asOf);
  const alertsBefore = await customerAlerts(tx, ids);
  let scores: CustomerChurnScore[];
  try {
    scores = await tx.transaction((inner) =>
      scoreChurnForCustomers(inner, ids, day, { record: true }),
    );
  } catch (error) {
    if (error instanceof TenureError) return;
    throw error;
  }
  for (const s of scores) {
    const was = levelsBefore.get(s.customerId) ?? null;
    if ((s.level ?? null) !== was) {
      await enqueueWebhookEvent(tx, 'customer.risk_level_changed', s.customerId, {
        customerId: s.customerId,
        asOf: s.asOf,
        from: was,
        to: s.level ?? null,
        risk: s.risk,
        reasons: s.reasons,
      });
    }
  }
  for (const [key, a] of await customerAlerts(tx, ids)) {
    if (alertsBefore.has(key)) continue;
    await enqueueWebhookEvent(tx, 'alert.created', a.customerId, {
      customerId: a.customerId,
      alertId: a.alertId,
      level: a.level,
      reasons: a.reasons,
    });
  }
}

export class BackgroundWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly baseDelayMs: number;
  private readonly maxAttempts: number;
  private readonly pollMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
    options: WorkerOptions = {},
  ) {
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.pollMs = options.pollMs ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Look for work now (after a commit that queued some). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick()
        .catch((error) => this.log.error({ err: error }, 'background worker failed'))
        .finally(() => {
          this.running = null;
          const soon = this.again;
          this.again = false;
          this.schedule(soon ? 0 : this.pollMs);
        });
    }, ms);
  }

  /** One round: drain the refresh queue, then send due webhooks. Exposed for tests. */
  async tick(): Promise<void> {
    while (!this.stopped && (await this.refreshSome()) > 0) {
      // Deliveries due meanwhile go out between refresh batches.
      await this.deliverSome();
    }
    while (!this.stopped && (await this.deliverSome()) > 0) {}
  }

  private async refreshSome(): Promise<number> {
    const stored = await storedStageModels(this.db);
    const models = stored.filter((m) => m.enabled).map((m) => m.model);
    const fit = await lastChosenFit(this.db);
    return this.db.transaction(async (tx) => {
      // Small transactions on the embedded database: there a transaction holds the only
      // connection, so requests wait for it.
      const ids = await claimRefreshBatch(tx, this.db.backend === 'pglite' ? 10 : 100);
      if (ids.length === 0) return 0;
      try {
        await tx.transaction((inner) => refreshCustomers(inner, ids, this.now(), models, fit));
      } catch (error) {
        // One bad customer must not hold up the rest: retry one at a time.
        this.log.warn({ err: error }, 'batch refresh failed; refreshing one customer at a time');
        for (const id of ids) {
          try {
            await tx.transaction((inner) => refreshCustomers(inner, [id], this.now(), models, fit));
          } catch (e) {
            this.log.warn({ err: e, customerId: id }, 'customer refresh failed');
          }
        }
      }
      return ids.length;
    });
  }

  private async deliverSome(): Promise<number> {
    const due = await claimDueDeliveries(this.db, 20);
    await Promise.all(due.map((d) => this.deliver(d)));
    return due.length;
  }

  private async deliver(d: DueDelivery): Promise<void> {
    const body = JSON.stringify(d.payload);
    const t = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tenure-Webhooks/1',
          'tenure-event-id': d.eventId,
          'tenure-event-type': String(d.payload.type),
          'tenure-signature': `t=${t},v1=${signPayload(d.secret, t, body)}`,
        },
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    const ms = performance.now() - started;
    const next =
      error === null
        ? ({ kind: 'delivered' } as const)
        : d.attempt >= this.maxAttempts
          ? ({ kind: 'dead' } as const)
          : ({
              kind: 'retry',
              inMs: Math.min(this.baseDelayMs * 2 ** (d.attempt - 1), 3_600_000),
            } as const);
    await recordDeliveryAttempt(this.db, d, { status, error, ms }, next);
    if (next.kind === 'retry') this.schedule(Math.min(next.inMs, this.pollMs));
  }
}
