/**
 * The customer 360 as the API's hot path (issue 7 §4 and "Done means"; issue 9's next best
 * action), over real HTTP on both backends:
 *  - its next best action is the one `nextActionFor` chooses (pyramid tier, stage, risk);
 *  - every answered read has its audit row committed before the answer, also for concurrent
 *    reads written in one batch; when the audit write fails the read fails and shows nothing;
 *  - the in-memory credentials cache never outlives a revocation, sign-out or disabled user
 *    made through the server, and reads changes made elsewhere within CREDENTIALS_TTL_MS.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/server/app.js';
import type { Actor, Role } from '../src/store/access.js';
import { customer360 } from '../src/store/customer-360-repo.js';
import type { Db } from '../src/store/db.js';
import { nextActionFor } from '../src/store/next-action-repo.js';
import { CREDENTIALS_TTL_MS, createApiToken, listUsers } from '../src/store/user-repo.js';
import { BACKENDS } from './backends.js';
import { type Harness, startHarness } from './server-helpers.js';

const NOW = new Date('2026-07-01T12:00:00Z');

/** 100 customers P001…P100 with CLV 100…10000 fen (P100 the most) and no stored tier. */
async function seed(h: Harness) {
  await h.db.query(
    `INSERT INTO customers (customer_id, name, phones, owner_id)
     SELECT 'P' || lpad(i::text, 3, '0'), '客户' || i, ARRAY['1380000' || lpad(i::text, 4, '0')], 'S1'
     FROM generate_series(1, 100) i`,
  );
  await h.db.query(
    `INSERT INTO score_snapshots (customer_id, as_of, model, p_alive, expected_purchases, horizon_days,
                                  expected_spend_minor, clv_minor, historical, churn_risk)
     SELECT 'P' || lpad(i::text, 3, '0'), date '2026-06-30', 'bg-nbd', i / 100.0, 1, 365, 5000,
            i * 100, '{}'::jsonb, 1 - i / 100.0
     FROM generate_series(1, 100) i`,
  );
  await h.db.query(
    `INSERT INTO stage_history (customer_id, model_id, changed_at, from_stage, to_stage, reason, reason_data)
     SELECT 'P' || lpad(i::text, 3, '0'), 'relationship', timestamptz '2026-06-30', NULL,
            (ARRAY['exploration','formation','stability','decline'])[1 + i % 4], '测试', '{"en":"test"}'
     FROM generate_series(1, 100) i`,
  );
  await h.db.query(
    `INSERT INTO transactions (customer_id, transaction_id, occurred_at, amount_minor)
     VALUES ('P100', 'T1', '2026-06-01T10:00:00Z', 9000)`,
  );
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`customer 360 hot path (${backend.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { now: () => NOW, worker: false });
      await seed(h);
    }, 120_000);
    afterAll(async () => {
      await h?.close();
    });

    test('issue 9: the 360 carries the next best action nextActionFor chooses, with the pyramid tier', async () => {
      for (const [id, tier] of [
        ['P100', 'platinum'],
        ['P097', 'gold'],
        ['P090', 'iron'],
        ['P050', 'lead'],
      ] as const) {
        const v = await h.call('GET', `/api/customers/${id}/360`, { as: 'manager' });
        expect(v.status).toBe(200);
        const want = await nextActionFor(h.db, id, NOW);
        expect(want.tier).toBe(tier);
        const { customerId: _c, ownerId: _o, ...rest } = want;
        expect(v.body.nextBestAction).toEqual(JSON.parse(JSON.stringify(rest)));
      }
    });

    test('issue 7: the per-stage playbook action reads the pyramid tier as the playbook’s value tier', async () => {
      const v = await h.call('GET', '/api/customers/P100/360', { as: 'manager' });
      const rel = v.body.stages.find((s: { model: string }) => s.model === 'relationship');
      expect(rel.current.stage).toBe('exploration');
      expect(rel.nextAction).not.toBeNull();
    });

    test('issue 7: each answered 360 read has its audit row committed first, also 40 at once', async () => {
      const count = async () =>
        (
          await h.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM audit_log
             WHERE action = 'customer.read' AND customer_id = 'P042' AND details->>'view' = '360'`,
          )
        ).rows[0].n;
      const before = await count();
      const one = await h.call('GET', '/api/customers/P042/360', { as: 'manager' });
      expect(one.status).toBe(200);
      expect(await count()).toBe(before + 1);
      const many = await Promise.all(
        Array.from({ length: 40 }, () =>
          h.call('GET', '/api/customers/P042/360', { as: 'manager' }),
        ),
      );
      expect(many.every((r) => r.status === 200)).toBe(true);
      expect(await count()).toBe(before + 41);
      const { rows } = await h.db.query<{ actor: string; origin: string | null }>(
        `SELECT actor, origin FROM audit_log WHERE customer_id = 'P042' ORDER BY audit_id DESC LIMIT 1`,
      );
      expect(rows[0]).toEqual({ actor: 'manager', origin: '127.0.0.1' });
      // masked reads (analyst) are not reads of personal data; a 404 reads nothing
      await h.call('GET', '/api/customers/P042/360', { as: 'analyst' });
      await h.call('GET', '/api/customers/NOPE/360', { as: 'manager' });
      expect(await count()).toBe(before + 41);
    });

    test('issue 7: reads that share one statement each keep their own scope, masking and audit row', async () => {
      await h.db.query(
        `INSERT INTO customers (customer_id, name, phones, owner_id)
         VALUES ('Q001', '别人的客户', ARRAY['13911112222'], 'S2') ON CONFLICT DO NOTHING`,
      );
      const statements: string[][] = [];
      const counting = new Proxy(h.db, {
        get(target, prop) {
          if (prop === 'query') {
            return (sql: string, params?: readonly unknown[], o?: { prepare?: string }) => {
              if (o?.prepare === 'tenure_customer_360') {
                // the batch: one JSON document of reads
                const reads = JSON.parse(params?.[1] as string) as { id: string }[];
                statements.push(reads.map((r) => r.id));
              }
              return target.query(sql, params, o);
            };
          }
          const v = Reflect.get(target, prop, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }) as Db;
      const actor = (role: Role, staffId: string | null = null): Actor => ({
        userId: `u-${role}`,
        username: `batch-${role}`,
        role,
        staffId,
        origin: '10.0.0.9',
      });
      const audited = async () =>
        (
          await h.db.query<{ actor: string; customer_id: string }>(
            `SELECT actor, customer_id FROM audit_log WHERE actor LIKE 'batch-%' ORDER BY customer_id`,
          )
        ).rows;
      // the first reads go out at once, each alone; the rest wait and share the next statement
      const warm = Array.from({ length: 8 }, () =>
        customer360(counting, actor('manager'), 'P050', 'relationship'),
      );
      const settle = <T>(p: Promise<T>) =>
        p.then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
      const [own, others, masked, full, missing] = await Promise.all([
        settle(customer360(counting, actor('agent', 'S1'), 'P001', 'relationship')),
        settle(customer360(counting, actor('agent', 'S1'), 'Q001', 'relationship')),
        settle(customer360(counting, actor('analyst'), 'P042', 'relationship')),
        settle(customer360(counting, actor('manager'), 'Q001', 'relationship')),
        settle(customer360(counting, actor('manager'), 'NOPE', 'relationship')),
      ]);
      await Promise.all(warm);
      const shared = statements.find((ids) => ids.includes('Q001') && ids.includes('P042'));
      expect(shared, JSON.stringify(statements)).toBeDefined();
      expect(shared).toEqual(expect.arrayContaining(['P001', 'Q001', 'P042', 'NOPE']));

      expect(own.ok && own.v.customer.name).toBe('客户1');
      // another agent's customer: not found, as if it did not exist
      expect(others.ok).toBe(false);
      expect(!others.ok && (others.e as Error).name).toBe('NotFoundError');
      expect(masked.ok && masked.v.customer.name).toBe('客***');
      expect(masked.ok && masked.v.customer.phones).toEqual(['138****0042']);
      expect(full.ok && full.v.customer.phones).toEqual(['13911112222']);
      expect(missing.ok).toBe(false);
      // one row per read of personal data that found its customer: not the analyst's, not the
      // agent's refused read, not the missing customer
      const rows = await audited();
      expect(rows.filter((r) => r.customer_id !== 'P050')).toEqual([
        { actor: 'batch-agent', customer_id: 'P001' },
        { actor: 'batch-manager', customer_id: 'Q001' },
      ]);
      expect(rows.filter((r) => r.customer_id === 'P050')).toHaveLength(8);
    });

    test('issue 7: a read the database refuses (an id with a NUL character) does not fail the reads that shared its statement', async () => {
      const actor: Actor = {
        userId: 'u-m',
        username: 'nul-manager',
        role: 'manager',
        staffId: null,
        origin: '10.0.0.7',
      };
      const warm = Array.from({ length: 4 }, () =>
        customer360(h.db, actor, 'P010', 'relationship'),
      );
      const results = await Promise.allSettled([
        customer360(h.db, actor, 'P011', 'relationship'),
        customer360(h.db, actor, 'P0\u000012', 'relationship'),
        customer360(h.db, actor, 'P013', 'relationship'),
      ]);
      await Promise.all(warm);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const { rows } = await h.db.query<{ customer_id: string }>(
        `SELECT customer_id FROM audit_log WHERE actor = 'nul-manager' AND customer_id <> 'P010'
         ORDER BY customer_id`,
      );
      // each good read audited once (the failed shared statement wrote nothing)
      expect(rows.map((r) => r.customer_id)).toEqual(['P011', 'P013']);
    });

    test('issue 7: when the audit row cannot be written the read fails and shows no personal data', async () => {
      const failing = new Proxy(h.db, {
        get(target, prop) {
          if (prop === 'query') {
            return (sql: string, params?: readonly unknown[], o?: { prepare?: string }) =>
              /INSERT INTO audit_log/.test(sql)
                ? Promise.reject(new Error('no space left on device'))
                : target.query(sql, params, o);
          }
          const v = Reflect.get(target, prop, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }) as Db;
      const manager = (await listUsers(h.db)).find((u) => u.username === 'manager')!;
      const { secret } = await createApiToken(h.db, manager.userId, 'failing', ['customers:read']);
      const app = await buildServer({
        db: failing,
        config: loadConfig({}),
        logger: false,
        now: () => NOW,
        worker: false,
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const port = (app.server.address() as AddressInfo).port;
        const res = await fetch(`http://127.0.0.1:${port}/api/customers/P042/360`, {
          headers: { authorization: `Bearer ${secret}` },
        });
        const text = await res.text();
        expect(res.status).toBe(500);
        expect(text).not.toMatch(/客户42|13800000042/);
      } finally {
        await app.close();
      }
    });

    test('issue 7: revoking a token, signing out and disabling a user apply at once despite the credentials cache', async () => {
      const manager = (await listUsers(h.db)).find((u) => u.username === 'manager')!;
      const made = await h.call('POST', '/api/tokens', {
        as: 'manager',
        body: { name: 'cache', scopes: ['customers:read'] },
      });
      expect(made.status).toBe(201);
      const secret: string = made.body.secret;
      const tokenId: string = made.body.token.tokenId;
      expect((await h.call('GET', '/api/customers/P001/360', { token: secret })).status).toBe(200);
      expect((await h.call('GET', '/api/customers/P001/360', { token: secret })).status).toBe(200);
      const revoked = await h.call('DELETE', `/api/tokens/${tokenId}`, { as: 'admin' });
      expect(revoked.status).toBe(200);
      expect((await h.call('GET', '/api/customers/P001/360', { token: secret })).status).toBe(401);

      // a session used (and so cached), then signed out
      const login = await fetch(`${h.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'manager', password: 'correct horse battery' }),
      });
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
      const me = { cookie };
      expect((await h.call('GET', '/api/customers/P001/360', { headers: me })).status).toBe(200);
      const out = await h.call('POST', '/api/auth/logout', {
        headers: { ...me, 'x-csrf-token': csrf },
      });
      expect(out.status).toBeLessThan(300);
      expect((await h.call('GET', '/api/customers/P001/360', { headers: me })).status).toBe(401);

      // a change made behind the server's back (another process) is seen within the TTL
      const other = await createApiToken(h.db, manager.userId, 'other', ['customers:read']);
      expect((await h.call('GET', '/api/customers/P001', { token: other.secret })).status).toBe(
        200,
      );
      await h.db.query(`UPDATE api_tokens SET revoked_at = now() WHERE name = 'other'`);
      const realNow = Date.now.bind(Date);
      const spy = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + CREDENTIALS_TTL_MS);
      try {
        expect((await h.call('GET', '/api/customers/P001', { token: other.secret })).status).toBe(
          401,
        );
      } finally {
        spy.mockRestore();
      }

      // disabling the user ends their sessions at once, cached or not
      // (P001 is the agent's, owner S1)
      expect((await h.call('GET', '/api/customers/P001/360', { as: 'agent' })).status).toBe(200);
      const agent = (await listUsers(h.db)).find((u) => u.username === 'agent')!;
      const disabled = await h.call('PATCH', `/api/users/${agent.userId}`, {
        as: 'admin',
        body: { disabled: true },
      });
      expect(disabled.status).toBe(200);
      expect((await h.call('GET', '/api/customers/P001/360', { as: 'agent' })).status).toBe(401);
    });
  });
}
