/**
 * Issue 7 "Done means" for event ingestion and webhooks, over real HTTP on both backends:
 *  - 50 concurrent clients sending the same 10,000 events with duplicates yield exactly 10,000
 *    effects;
 *  - a bad event rejects its whole batch with per-event errors, and nothing is written;
 *  - a transaction event for a declining customer moves their stage and fires
 *    customer.stage_changed to a local receiver with a valid signature.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import { runChurnAnalysis } from '../src/store/churn-analysis.js';
import { runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';
import { BACKENDS } from './backends.js';
import { type Harness, startHarness } from './server-helpers.js';

const order = (i: number) => ({
  idempotencyKey: `order-${i}`,
  type: 'transaction.created',
  data: {
    transactionId: `T${i}`,
    customerId: `EV${i % 2000}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    amountMinor: 1000 + (i % 97),
  },
});

/** Deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed;
  const rand = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`event ingestion on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
    });
    afterAll(async () => {
      await h?.close();
    });

    test('issue 7: 50 concurrent clients sending the same 10,000 events with duplicates yield exactly 10,000 effects', async () => {
      const events = Array.from({ length: 10_000 }, (_, i) => order(i));
      // Each event goes to 2 or 3 of the 50 clients; each client sends its share in shuffled
      // batches of 250, all clients at once.
      const shares: (typeof events)[] = Array.from({ length: 50 }, () => []);
      events.forEach((e, i) => {
        shares[i % 50].push(e);
        shares[(i * 7 + 3) % 50].push(e);
        if (i % 3 === 0) shares[(i * 13 + 11) % 50].push(e);
      });
      const sent = shares.reduce((s, x) => s + x.length, 0);
      let applied = 0;
      let duplicates = 0;
      await Promise.all(
        shares.map(async (share, c) => {
          const mine = shuffled(share, c + 1);
          for (let i = 0; i < mine.length; i += 250) {
            const res = await h.call('POST', '/api/events', {
              as: 'admin',
              body: { events: mine.slice(i, i + 250) },
            });
            expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
            applied += res.body.applied;
            duplicates += res.body.duplicates;
          }
        }),
      );
      expect(applied).toBe(10_000);
      expect(duplicates).toBe(sent - 10_000);
      const { rows } = await h.db.query<{ t: number; r: number; q: number; s: number }>(
        `SELECT (SELECT count(*)::int FROM transactions) AS t,
                (SELECT count(*)::int FROM event_receipts) AS r,
                (SELECT count(*)::int FROM customer_refresh_queue) AS q,
                (SELECT sum(amount_minor)::bigint FROM transactions) AS s`,
      );
      expect(rows[0]).toEqual({
        t: 10_000,
        r: 10_000,
        q: 2000,
        s: events.reduce((s, e) => s + e.data.amountMinor, 0),
      });
    });

    test('issue 7: a batch with a bad event is rejected whole, with per-event errors, and writes nothing', async () => {
      const before = await h.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM event_receipts',
      );
      const res = await h.call('POST', '/api/events', {
        as: 'admin',
        body: {
          events: [
            {
              idempotencyKey: 'bad-1',
              type: 'interaction.created',
              data: {
                interactionId: 'B1',
                customerId: 'EV1',
                occurredAt: '2026-02-01T00:00:00Z',
                type: 'call',
              },
            },
            {
              idempotencyKey: 'bad-2',
              type: 'transaction.refunded',
              data: { transactionId: 'NOPE', customerId: 'EV1' },
            },
          ],
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.events).toEqual([
        {
          index: 1,
          idempotencyKey: 'bad-2',
          message: 'customer "EV1" has no order "NOPE" to refund',
        },
      ]);
      const typed = await h.call('POST', '/api/events', {
        as: 'admin',
        body: {
          events: [
            {
              idempotencyKey: 'x',
              type: 'transaction.created',
              data: {
                transactionId: 'X',
                customerId: 'EV1',
                occurredAt: 'yesterday',
                amountMinor: 1.5,
              },
            },
          ],
        },
      });
      expect(typed.status).toBe(400);
      expect(typed.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([
        'body.events.0.data.occurredAt',
        'body.events.0.data.amountMinor',
      ]);
      const tooMany = await h.call('POST', '/api/events', {
        as: 'admin',
        body: { events: Array.from({ length: 1001 }, (_, i) => order(50_000 + i)) },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.message).toMatch(/body\.events/);
      const after = await h.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM event_receipts',
      );
      expect(after.rows[0].n).toBe(before.rows[0].n);
      const { rows } = await h.db.query("SELECT 1 FROM interactions WHERE interaction_id = 'B1'");
      expect(rows).toEqual([]);
    });

    test('issue 7: a refund and a repeated refund take effect once', async () => {
      const refund = {
        idempotencyKey: 'refund-T5',
        type: 'transaction.refunded',
        data: { transactionId: 'T5', customerId: 'EV5' },
      };
      const a = await h.call('POST', '/api/events', {
        as: 'admin',
        body: { events: [refund, refund] },
      });
      expect(a.body.results.map((r: { status: string }) => r.status)).toEqual([
        'applied',
        'duplicate',
      ]);
      const { rows } = await h.db.query<{ status: string }>(
        "SELECT status FROM transactions WHERE customer_id = 'EV5' AND transaction_id = 'T5'",
      );
      expect(rows).toEqual([{ status: 'refunded' }]);
    });
  });

  describe.skipIf(!backend.available)(`stage-change webhooks on ${backend.name}`, () => {
    const asOf = new Date('2026-06-30T00:00:00Z');
    let h: Harness;
    let receiver: Server;
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    let failFirst = true;

    beforeAll(async () => {
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          // The first delivery fails, so the retry path is exercised.
          if (failFirst) {
            failFirst = false;
            res.writeHead(503).end();
            return;
          }
          received.push({ headers: req.headers, body });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      h = await startHarness(backend, {
        now: () => new Date('2026-07-01T12:00:00Z'),
        worker: { baseDelayMs: 50, pollMs: 50 },
        prepare: async (db) => {
          await loadDemo(db, { customers: 400, years: 2, seed: 7, industry: 'retail', asOf });
          await runValueAnalysis(db, { asOf, model: 'bgnbd' });
          await runLifecycleAnalysis(db, { asOf });
          await runChurnAnalysis(db, { asOf });
        },
      });
    });
    afterAll(async () => {
      await h?.close();
      await new Promise((r) => receiver?.close(r));
    });

    test('issue 7: an order from a declining customer moves their stage and fires customer.stage_changed with a valid signature', async () => {
      const { rows } = await h.db.query<{ customer_id: string }>(
        `SELECT customer_id FROM (SELECT DISTINCT ON (customer_id) customer_id, to_stage FROM stage_history
           WHERE model_id = 'relationship' ORDER BY customer_id, changed_at DESC) x
         WHERE to_stage = 'decline' ORDER BY customer_id LIMIT 1`,
      );
      expect(rows.length).toBe(1);
      const id = rows[0].customer_id;
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const sub = await h.call('POST', '/api/webhooks', {
        as: 'admin',
        body: { url, eventTypes: ['customer.stage_changed'] },
      });
      expect(sub.status).toBe(201);
      const secret: string = sub.body.secret;
      const res = await h.call('POST', '/api/events', {
        as: 'admin',
        body: {
          events: [
            {
              idempotencyKey: `win-${id}`,
              type: 'transaction.created',
              data: {
                transactionId: 'WIN-1',
                customerId: id,
                occurredAt: '2026-07-01T09:00:00Z',
                amountMinor: 39_900,
              },
            },
          ],
        },
      });
      expect(res.status).toBe(200);
      const deadline = Date.now() + 30_000;
      while (received.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(received.length).toBe(1);
      const got = received[0];
      const sig = String(got.headers['tenure-signature']);
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
      expect(m).not.toBeNull();
      const expected = createHmac('sha256', secret).update(`${m![1]}.${got.body}`).digest('hex');
      expect(m![2]).toBe(expected);
      const payload = JSON.parse(got.body);
      expect(payload.type).toBe('customer.stage_changed');
      expect(payload.data).toMatchObject({
        customerId: id,
        model: 'relationship',
        from: 'decline',
      });
      expect(payload.data.to).not.toBe('decline');
      expect(got.headers['tenure-event-id']).toBe(payload.id);
      const history = await h.db.query<{ to_stage: string; reason: string }>(
        `SELECT to_stage, reason FROM stage_history WHERE customer_id = $1 AND model_id = 'relationship'
         ORDER BY changed_at DESC LIMIT 1`,
        [id],
      );
      expect(history.rows[0].to_stage).toBe(payload.data.to);
      expect(history.rows[0].reason.length).toBeGreaterThan(0);
      // the receiver answers before the worker records the delivery: poll the log briefly
      let log = await h.call('GET', '/api/webhooks/deliveries', { as: 'admin' });
      for (let i = 0; i < 100 && log.body.items[0]?.status !== 'delivered'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        log = await h.call('GET', '/api/webhooks/deliveries', { as: 'admin' });
      }
      expect(log.body.items[0]).toMatchObject({
        status: 'delivered',
        attempts: 2,
        lastStatus: 204,
      });
      // Re-scored from the last fit on the day of the order, with the order counted.
      const score = await h.db.query<{
        as_of: string;
        p_alive: number | null;
        historical: { orders: number; lastPurchase: string; incremental?: boolean };
      }>(
        'SELECT as_of, p_alive, historical FROM score_snapshots WHERE customer_id = $1 ORDER BY as_of DESC LIMIT 2',
        [id],
      );
      expect(score.rows.map((r) => r.as_of)).toEqual(['2026-07-01', '2026-06-30']);
      const [now, before] = score.rows;
      expect(now.historical.orders).toBe(before.historical.orders + 1);
      expect(now.historical.lastPurchase).toBe('2026-07-01');
      expect(now.historical.incremental).toBe(true);
      expect(now.p_alive).toBeGreaterThan(0);
      // and its churn risk re-scored with the stored churn model
      const risk = await h.db.query<{ churn_risk: number | null }>(
        `SELECT churn_risk FROM score_snapshots WHERE customer_id = $1 AND as_of = '2026-07-01'`,
        [id],
      );
      expect(risk.rows[0].churn_risk).toBeGreaterThanOrEqual(0);
    });

    test('issue 7: an order that changes a customer’s saved-segment membership fires segment.member_joined and segment.member_left', async () => {
      const { rows } = await h.db.query<{ customer_id: string; orders: number }>(
        `SELECT customer_id, (historical->>'orders')::int AS orders FROM score_snapshots
         WHERE as_of = '2026-06-30' AND (historical->>'orders')::int >= 1
           AND customer_id NOT IN (SELECT customer_id FROM transactions WHERE transaction_id = 'WIN-1')
         ORDER BY customer_id LIMIT 1`,
      );
      const { customer_id: id, orders } = rows[0];
      const join = await h.call('POST', '/api/segments', {
        as: 'manager',
        body: { name: `多买一单 ${id}`, rule: `customer_id = '${id}' AND orders > ${orders}` },
      });
      const leave = await h.call('POST', '/api/segments', {
        as: 'manager',
        body: { name: `原有单数 ${id}`, rule: `customer_id = '${id}' AND orders <= ${orders}` },
      });
      expect([join.body.members, leave.body.members]).toEqual([0, 1]);
      const res = await h.call('POST', '/api/events', {
        as: 'admin',
        body: {
          events: [
            {
              idempotencyKey: `seg-${id}`,
              type: 'transaction.created',
              data: {
                transactionId: 'SEG-1',
                customerId: id,
                occurredAt: '2026-07-01T10:00:00Z',
                amountMinor: 12_800,
              },
            },
          ],
        },
      });
      expect(res.status).toBe(200);
      const events = async () =>
        (
          await h.db.query<{ event_type: string; segment: string }>(
            `SELECT event_type, payload->'data'->>'segmentId' AS segment FROM webhook_outbox
             WHERE customer_id = $1 AND event_type LIKE 'segment.%' ORDER BY event_type`,
            [id],
          )
        ).rows;
      const deadline = Date.now() + 30_000;
      while ((await events()).length < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(await events()).toEqual([
        { event_type: 'segment.member_joined', segment: join.body.segmentId },
        { event_type: 'segment.member_left', segment: leave.body.segmentId },
      ]);
    });
  });
}
