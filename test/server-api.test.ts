/**
 * Issue 7 "Done means", over real HTTP on both backends: every endpoint × every role (the
 * allow/deny matrix), IDOR attempts, malformed JSON, oversize bodies, wrong types and unknown
 * fields — each answered with the documented error and changing nothing — plus masking,
 * sessions and CSRF, API tokens, the audit log, erasure and cursor paging.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/server/app.js';
import { LoginLimiter } from '../src/server/auth.js';
import type { Role } from '../src/store/access.js';
import { createCampaign } from '../src/store/campaign-repo.js';
import { BACKENDS } from './backends.js';
import { type Harness, PASSWORD, startHarness } from './server-helpers.js';

const ROLES: Role[] = ['admin', 'manager', 'agent', 'analyst'];

async function seed(h: Harness) {
  const customers = [
    {
      customerId: 'C1',
      name: '张三丰',
      phones: ['13812345678'],
      emails: ['zhang.sanfeng@example.com'],
      ownerId: 'S1',
      province: '浙江',
      city: '杭州',
    },
    {
      customerId: 'C2',
      name: '李四',
      phones: ['13900001111'],
      emails: [],
      ownerId: 'S1',
      province: '广东',
      city: '深圳',
    },
    {
      customerId: 'C3',
      name: 'Alice Smith',
      phones: ['13700002222'],
      emails: ['alice@example.com'],
      ownerId: 'S2',
      province: '上海',
      city: '上海',
    },
  ];
  for (const c of customers) {
    const res = await h.call('POST', '/api/customers', { as: 'admin', body: c });
    expect(res.status).toBe(201);
  }
  await h.db.query(
    `INSERT INTO transactions (customer_id, transaction_id, occurred_at, amount_minor) VALUES
       ('C1', 'T1', '2026-01-05T10:00:00Z', 12000), ('C1', 'T2', '2026-03-05T10:00:00Z', 8000),
       ('C3', 'T3', '2026-02-01T10:00:00Z', 50000)`,
  );
  await h.db.query(
    `INSERT INTO interactions (customer_id, interaction_id, occurred_at, type, note) VALUES
       ('C1', 'I1', '2026-03-06T10:00:00Z', 'complaint', '张三丰 says the parcel to 13812345678 was late')`,
  );
  await h.db.query(
    `INSERT INTO alerts (customer_id, alert_id, level, raised_at, reasons, churn_episode, churn_risk, value_at_risk_minor)
     VALUES ('C3', 'churn:2026-03-01:red', 'red', '2026-03-01T00:00:00Z', '[]', 'churn:2026-03-01', 0.9, 45000)`,
  );
  await h.db.query(
    `INSERT INTO tasks (customer_id, task_id, type, owner_id, due_at) VALUES
       ('C1', 'K1', 'follow-up', 'S1', '2026-04-01T00:00:00Z'),
       ('C3', 'K3', 'follow-up', 'S2', '2026-04-01T00:00:00Z')`,
  );
  await createCampaign(h.db, {
    campaignId: 'K1',
    name: '回访活动',
    customerIds: ['C1', 'C2', 'C3'],
    holdoutShare: 0.34,
    startsAt: new Date('2026-03-01T00:00:00Z'),
    endsAt: new Date('2026-04-01T00:00:00Z'),
  });
}

async function snapshotCounts(h: Harness) {
  const { rows } = await h.db.query<{ t: string; n: number }>(
    `SELECT 'customers' AS t, count(*)::int AS n FROM customers
     UNION ALL SELECT 'transactions', count(*)::int FROM transactions
     UNION ALL SELECT 'interactions', count(*)::int FROM interactions
     UNION ALL SELECT 'products', count(*)::int FROM products
     UNION ALL SELECT 'users', count(*)::int FROM users
     UNION ALL SELECT 'event_receipts', count(*)::int FROM event_receipts
     UNION ALL SELECT 'tasks_done', count(*)::int FROM tasks WHERE status <> 'open'
     UNION ALL SELECT 'c2_city', count(*)::int FROM customers WHERE city = '深圳'`,
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

type Expect = Record<Role, number>;
const all = (s: number): Expect => ({ admin: s, manager: s, agent: s, analyst: s });
const only = (ok: number, roles: Role[]): Expect =>
  Object.fromEntries(ROLES.map((r) => [r, roles.includes(r) ? ok : 403])) as Expect;

interface Case {
  title: string;
  method: string;
  path: string;
  body?: (role: Role) => unknown;
  expected: Expect;
}

// The allow/deny matrix (issue 7 §2). 404 for the agent = another agent's customer (IDOR).
const MATRIX: Case[] = [
  { title: 'list customers', method: 'GET', path: '/api/customers', expected: all(200) },
  {
    title: 'create a customer',
    method: 'POST',
    path: '/api/customers',
    body: (r) => ({ name: `新客户 ${r}` }),
    expected: only(201, ['admin', 'manager', 'agent']),
  },
  {
    title: 'read another agent’s customer',
    method: 'GET',
    path: '/api/customers/C3',
    expected: { admin: 200, manager: 200, agent: 404, analyst: 200 },
  },
  {
    title: '360 of another agent’s customer',
    method: 'GET',
    path: '/api/customers/C3/360',
    expected: { admin: 200, manager: 200, agent: 404, analyst: 200 },
  },
  {
    title: '360 of the agent’s own customer',
    method: 'GET',
    path: '/api/customers/C1/360',
    expected: all(200),
  },
  {
    title: 'change another agent’s customer',
    method: 'PATCH',
    path: '/api/customers/C3',
    body: () => ({ tags: ['vip'] }),
    expected: { admin: 200, manager: 200, agent: 404, analyst: 403 },
  },
  {
    title: 'erase a customer',
    method: 'DELETE',
    path: '/api/customers/NO-SUCH',
    expected: { admin: 404, manager: 403, agent: 403, analyst: 403 },
  },
  {
    title: 'log an interaction on another agent’s customer',
    method: 'POST',
    path: '/api/customers/C3/interactions',
    body: (r) => ({ type: 'call', note: `by ${r}` }),
    expected: { admin: 201, manager: 201, agent: 404, analyst: 403 },
  },
  {
    title: 'complete another agent’s task',
    method: 'POST',
    path: '/api/customers/C3/tasks/NO-SUCH/complete',
    body: () => ({ outcome: 'done' }),
    expected: { admin: 404, manager: 404, agent: 404, analyst: 403 },
  },
  { title: 'list orders', method: 'GET', path: '/api/transactions', expected: all(200) },
  { title: 'list interactions', method: 'GET', path: '/api/interactions', expected: all(200) },
  { title: 'list products', method: 'GET', path: '/api/products', expected: all(200) },
  {
    title: 'put a product',
    method: 'PUT',
    path: '/api/products/SKU-1',
    body: () => ({ name: '茶叶', category: 'tea', listPriceMinor: 9900, unitCostMinor: 4000 }),
    expected: only(200, ['admin', 'manager']),
  },
  {
    title: 'list tasks',
    method: 'GET',
    path: '/api/tasks',
    expected: only(200, ['admin', 'manager', 'agent']),
  },
  { title: 'list stage models', method: 'GET', path: '/api/stage-models', expected: all(200) },
  {
    title: 'enable a stage model',
    method: 'PATCH',
    path: '/api/stage-models/relationship',
    body: () => ({ enabled: true }),
    expected: only(200, ['admin']),
  },
  {
    title: 'dashboard',
    method: 'GET',
    path: '/api/dashboard',
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'list analysis runs',
    method: 'GET',
    path: '/api/analysis-runs',
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'post events',
    method: 'POST',
    path: '/api/events',
    body: (r) => ({
      events: [
        {
          idempotencyKey: `m-${r}`,
          type: 'interaction.created',
          data: {
            interactionId: `m-${r}`,
            customerId: 'C2',
            occurredAt: '2026-03-07T00:00:00Z',
            type: 'sms',
          },
        },
      ],
    }),
    expected: only(200, ['admin']),
  },
  { title: 'list webhooks', method: 'GET', path: '/api/webhooks', expected: only(200, ['admin']) },
  { title: 'list users', method: 'GET', path: '/api/users', expected: only(200, ['admin']) },
  {
    title: 'read the audit log',
    method: 'GET',
    path: '/api/audit',
    expected: only(200, ['admin']),
  },
  {
    title: 'list segments',
    method: 'GET',
    path: '/api/segments',
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'save a segment',
    method: 'POST',
    path: '/api/segments',
    body: () => ({ name: '浙江客户', rule: "province = '浙江'" }),
    expected: only(201, ['admin', 'manager', 'analyst']),
  },
  { title: 'who am I', method: 'GET', path: '/api/auth/me', expected: all(200) },
  // Before any analysis the reports are 404 (nothing stored yet) for those who may read them.
  {
    title: 'lifecycle stage report',
    method: 'GET',
    path: '/api/stages',
    expected: { admin: 404, manager: 404, agent: 403, analyst: 404 },
  },
  {
    title: 'segmentation run',
    method: 'GET',
    path: '/api/segment-analysis',
    expected: { admin: 404, manager: 404, agent: 403, analyst: 404 },
  },
  {
    title: 'weekly report schedule',
    method: 'GET',
    path: '/api/reports/schedule',
    expected: { admin: 200, manager: 200, agent: 403, analyst: 200 },
  },
  {
    title: 'change the weekly report schedule',
    method: 'PUT',
    path: '/api/reports/schedule',
    body: () => ({ hour: 9 }),
    expected: only(200, ['admin']),
  },
  {
    title: 'weekly reports',
    method: 'GET',
    path: '/api/reports/weekly',
    expected: { admin: 200, manager: 200, agent: 403, analyst: 200 },
  },
  {
    title: 'a weekly report that does not exist',
    method: 'GET',
    path: '/api/reports/weekly/rpt_nosuch',
    expected: { admin: 404, manager: 404, agent: 403, analyst: 404 },
  },
  {
    title: 'segment rule fields',
    method: 'GET',
    path: '/api/segments/fields',
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'segment rule live count',
    method: 'POST',
    path: '/api/segments/preview',
    body: () => ({ rule: "province = '浙江'" }),
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'create a task on another agent’s customer',
    method: 'POST',
    path: '/api/customers/C3/tasks',
    body: () => ({ type: 'follow-up', title: '回访', dueAt: '2026-04-02T00:00:00Z' }),
    expected: { admin: 201, manager: 201, agent: 404, analyst: 403 },
  },
  { title: 'list churn alerts', method: 'GET', path: '/api/alerts', expected: all(200) },
  {
    title: 'resolve another agent’s alert',
    method: 'PATCH',
    path: '/api/alerts/C3/churn:2026-03-01:red',
    body: () => ({ status: 'resolved' }),
    expected: { admin: 200, manager: 200, agent: 404, analyst: 403 },
  },
  {
    title: 'churn backtest figures',
    method: 'GET',
    path: '/api/churn/backtest',
    expected: { admin: 404, manager: 404, agent: 403, analyst: 404 },
  },
  {
    title: 'preview stage thresholds',
    method: 'POST',
    path: '/api/stage-models/relationship/preview',
    body: () => ({ thresholds: { churnGapRatio: 4 } }),
    expected: only(200, ['admin']),
  },
  // campaigns and the work queue (issue 9 §1, §4)
  {
    title: 'list campaigns',
    method: 'GET',
    path: '/api/campaigns',
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'create a campaign',
    method: 'POST',
    path: '/api/campaigns',
    body: (r) => ({
      campaignId: `K-${r}`,
      name: `活动 ${r}`,
      customerIds: ['C1', 'C2', 'C3'],
      holdoutShare: 0.34,
      startsAt: '2026-03-01',
      endsAt: '2026-04-01',
    }),
    expected: only(201, ['admin', 'manager']),
  },
  {
    title: 'read a campaign',
    method: 'GET',
    path: '/api/campaigns/K1',
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'export a campaign’s contacts',
    method: 'GET',
    path: '/api/campaigns/K1/contacts?format=csv',
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'record campaign responses',
    method: 'POST',
    path: '/api/campaigns/K1/responses',
    body: () => ({ responses: [{ customerId: 'C1', revenueMinor: 1000 }] }),
    expected: only(200, ['admin', 'manager']),
  },
  {
    title: 'campaign report',
    method: 'GET',
    path: '/api/campaigns/K1/report',
    expected: only(200, ['admin', 'manager', 'analyst']),
  },
  {
    title: 'send a campaign through webhooks',
    method: 'POST',
    path: '/api/campaigns/K1/send',
    expected: only(200, ['admin', 'manager']),
  },
  {
    // demo only: refused on this database
    title: 'simulate campaign responses',
    method: 'POST',
    path: '/api/campaigns/K1/simulate',
    body: () => ({ baseRate: 0.1, uplift: 0.05 }),
    expected: only(400, ['admin', 'manager']),
  },
  {
    title: 'work queue',
    method: 'GET',
    path: '/api/queue',
    expected: only(200, ['admin', 'manager', 'agent']),
  },
  {
    title: 'tasks from the queue for another agent’s customer',
    method: 'POST',
    path: '/api/queue/tasks',
    body: () => ({ customerIds: ['C3'] }),
    expected: { admin: 201, manager: 201, agent: 404, analyst: 403 },
  },
];

function responseSchema(h: Harness, method: string, path: string): z.ZodType | undefined {
  const route = h.app.tenure.registry.routes.find((r) => {
    if (r.method !== method) return false;
    const re = new RegExp(`^${r.url.replace(/:\w+/g, '[^/]+')}$`);
    return re.test(path.split('?')[0]);
  });
  return route?.response;
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`HTTP API on ${backend.name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
      await seed(h);
    });
    afterAll(async () => {
      await h?.close();
    });

    test('issue 7: every endpoint × every role answers as the matrix says; the body matches the documented schema', async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const c of MATRIX) {
        for (const role of ROLES) {
          const res = await h.call(c.method, c.path, { as: role, body: c.body?.(role) });
          got.push(`${c.title} as ${role}: ${res.status}`);
          want.push(`${c.title} as ${role}: ${c.expected[role]}`);
          if (res.status < 300) {
            const schema = responseSchema(h, c.method, c.path);
            if (schema)
              expect(schema.safeParse(res.body).success, `${c.title} as ${role}`).toBe(true);
          } else {
            expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message']);
          }
        }
      }
      expect(got).toEqual(want);
    });

    test('issue 7: without a session every non-public endpoint is 401 unauthenticated', async () => {
      for (const c of MATRIX) {
        const res = await h.call(c.method, c.path, { body: c.body?.('admin') });
        expect(`${c.title}: ${res.status} ${res.body.error?.code}`).toBe(
          `${c.title}: 401 unauthenticated`,
        );
      }
    });

    test('issue 7: an agent sees only their own customers, orders and tasks; another agent’s customer is 404, never the record', async () => {
      const list = await h.call('GET', '/api/customers?limit=100', { as: 'agent' });
      const ids = list.body.items.map((c: { customerId: string }) => c.customerId);
      expect(ids).toContain('C1');
      expect(ids).not.toContain('C3');
      expect(list.body.items.every((c: { ownerId: string }) => c.ownerId === 'S1')).toBe(true);
      const orders = await h.call('GET', '/api/transactions', { as: 'agent' });
      expect(
        orders.body.items.map((t: { transactionId: string }) => t.transactionId).sort(),
      ).toEqual(['T1', 'T2']);
      const byId = await h.call('GET', '/api/transactions?customerId=C3', { as: 'agent' });
      expect(byId.body.items).toEqual([]);
      const tasks = await h.call('GET', '/api/tasks', { as: 'agent' });
      expect(tasks.body.items.map((t: { taskId: string }) => t.taskId)).toEqual(['K1']);
      const steal = await h.call('POST', '/api/customers/C3/tasks/K3/complete', {
        as: 'agent',
        body: { outcome: 'x' },
      });
      expect(steal.status).toBe(404);
      const stealBody = await h.call('GET', '/api/customers/C3', { as: 'agent' });
      expect(JSON.stringify(stealBody.body)).not.toContain('Alice');
      const handOver = await h.call('PATCH', '/api/customers/C1', {
        as: 'agent',
        body: { ownerId: 'S2' },
      });
      expect(handOver.status).toBe(400);
      const created = await h.call('POST', '/api/customers', {
        as: 'agent',
        body: { name: '王五', ownerId: 'S2' },
      });
      expect(created.body.ownerId).toBe('S1');
    });

    test('issue 7: an analyst gets personal data masked (138****5678, 张**, z***@example.com) and cannot search by it', async () => {
      const c = await h.call('GET', '/api/customers/C1', { as: 'analyst' });
      expect(c.body.name).toBe('张**');
      expect(c.body.phones).toEqual(['138****5678']);
      expect(c.body.emails).toEqual(['z***@example.com']);
      const v = await h.call('GET', '/api/customers/C1/360', { as: 'analyst' });
      expect(JSON.stringify(v.body)).not.toMatch(/张三丰|13812345678|zhang\.sanfeng/);
      const found = await h.call('GET', `/api/customers?q=${encodeURIComponent('张三')}`, {
        as: 'analyst',
      });
      expect(found.body.items).toEqual([]);
      const manager = await h.call('GET', `/api/customers?q=${encodeURIComponent('张三')}`, {
        as: 'manager',
      });
      expect(manager.body.items.map((x: { customerId: string }) => x.customerId)).toEqual(['C1']);
      const byPhone = await h.call('GET', '/api/customers?q=1390000', { as: 'manager' });
      expect(byPhone.body.items.map((x: { customerId: string }) => x.customerId)).toEqual(['C2']);
    });

    test.each([
      {
        title: 'malformed JSON',
        raw: '{"name": ',
        expected: { status: 400, code: 'invalid_input', message: /malformed JSON/ },
      },
      {
        title: 'a wrong type',
        body: { name: 42 },
        expected: {
          status: 400,
          code: 'invalid_input',
          message: /At body\.name: expected string, got number/,
        },
      },
      {
        title: 'a wrong nested type',
        body: { phones: ['1', 2] },
        expected: {
          status: 400,
          code: 'invalid_input',
          message: /At body\.phones\.1: expected string, got number/,
        },
      },
      {
        title: 'an unknown field',
        body: { name: 'x', nickname: 'y' },
        expected: { status: 422, code: 'unknown_field', message: /unknown field "nickname"/ },
      },
      {
        title: 'an oversize body',
        raw: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
        expected: { status: 413, code: 'payload_too_large', message: /larger/ },
      },
      {
        title: 'a NUL character in a text field',
        body: { name: '张\u0000三' },
        expected: { status: 400, code: 'invalid_input', message: /NUL character/ },
      },
      {
        title: 'a NUL character inside a JSON attribute',
        body: { name: 'x', attributes: { note: 'a\u0000b' } },
        expected: { status: 400, code: 'invalid_input', message: /NUL character/ },
      },
      {
        title: 'not JSON',
        raw: 'name=x',
        headers: { 'content-type': 'text/plain' },
        expected: { status: 415, code: 'unsupported_media_type', message: /application\/json/ },
      },
    ])(
      'issue 7: $title is answered with $expected.status $expected.code and changes nothing',
      async ({ raw, body, headers, expected }) => {
        const before = await snapshotCounts(h);
        const res = await h.call('POST', '/api/customers', { as: 'admin', raw, body, headers });
        expect(res.status).toBe(expected.status);
        expect(res.body.error.code).toBe(expected.code);
        expect(res.body.error.message).toMatch(expected.message);
        expect(await snapshotCounts(h)).toEqual(before);
      },
    );

    test('issue 7: an id with a NUL character is 400 on every customer route, and does not fail reads sharing its statement', async () => {
      for (const path of ['/api/customers/C1%00', '/api/customers/C1%00/360']) {
        const res = await h.call('GET', path, { as: 'manager' });
        expect(res.status, path).toBe(400);
        expect(res.body.error.details.issues[0].path).toBe('params.id');
      }
      // reads in flight together (several share one statement): each answered for itself
      const many = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          h.call('GET', i % 3 === 0 ? '/api/customers/C1%00/360' : '/api/customers/C1/360', {
            as: 'manager',
          }),
        ),
      );
      expect(many.map((r) => r.status)).toEqual(
        Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 400 : 200)),
      );
    });

    test('issue 7: a bad query parameter and an unknown one are named', async () => {
      const bad = await h.call('GET', '/api/customers?limit=abc', { as: 'admin' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.issues[0].path).toBe('query.limit');
      const unknown = await h.call('GET', '/api/customers?colour=red', { as: 'admin' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.details.fields).toEqual(['query.colour']);
      const noRoute = await h.call('GET', '/api/nothing-here', { as: 'admin' });
      expect(noRoute.status).toBe(404);
      expect(noRoute.body.error.code).toBe('not_found');
    });

    test('issue 7: a cookie-authenticated change without X-CSRF-Token is 403 csrf_failed and changes nothing', async () => {
      const before = await snapshotCounts(h);
      const res = await h.call('PATCH', '/api/customers/C2', {
        as: 'admin',
        noCsrf: true,
        body: { city: '广州' },
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_failed');
      const forged = await h.call('PATCH', '/api/customers/C2', {
        as: 'admin',
        noCsrf: true,
        headers: { 'x-csrf-token': 'guess' },
        body: { city: '广州' },
      });
      expect(forged.status).toBe(403);
      expect(await snapshotCounts(h)).toEqual(before);
      // Reads need no token.
      expect((await h.call('GET', '/api/customers/C2', { as: 'admin', noCsrf: true })).status).toBe(
        200,
      );
    });

    test('issue 7: the session cookie is HttpOnly and SameSite=Lax; logout ends the session', async () => {
      const res = await fetch(`${h.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'manager', password: PASSWORD }),
      });
      const cookies = res.headers.getSetCookie();
      const session = cookies.find((c) => c.startsWith('tenure_session='))!;
      expect(session).toMatch(/HttpOnly/i);
      expect(session).toMatch(/SameSite=Lax/i);
      const csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
      const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
      const out = await fetch(`${h.base}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      expect(out.status).toBe(204);
      const after = await fetch(`${h.base}/api/auth/me`, { headers: { cookie } });
      expect(after.status).toBe(401);
    });

    test('issue 7: sign-in is rate-limited per address and username (429 with Retry-After)', async () => {
      const attempt = (password: string) =>
        fetch(`${h.base}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'analyst', password }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await attempt('wrong password')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const locked = await attempt(PASSWORD);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      // The failures are counted in the database: a second server process (another instance
      // behind the same load balancer, or this one restarted) refuses the same sign-in.
      const other = await buildServer({
        db: h.db,
        config: loadConfig({}),
        logger: false,
        worker: false,
        scheduler: false,
        loginLimiter: new LoginLimiter(5, 1000),
      });
      try {
        const res = await other.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'analyst', password: PASSWORD },
        });
        expect(res.statusCode).toBe(429);
        const fromElsewhere = await other.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '10.9.8.7',
          payload: { username: 'analyst', password: PASSWORD },
        });
        expect(fromElsewhere.statusCode).toBe(200);
      } finally {
        await other.close();
      }
    });

    test('issue 7: a guess spread over many addresses against one account is throttled too', async () => {
      const server = await buildServer({
        db: h.db,
        config: loadConfig({}),
        logger: false,
        worker: false,
        scheduler: false,
        loginLimiter: new LoginLimiter(5, 20, 60_000, 8),
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 10; i++) {
          const res = await server.inject({
            method: 'POST',
            url: '/api/auth/login',
            remoteAddress: `10.0.0.${i + 1}`,
            payload: { username: 'manager', password: `guess ${i}` },
          });
          statuses.push(res.statusCode);
        }
        expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 429, 429]);
      } finally {
        await server.close();
      }
      const { rows } = await h.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sign_in_failures WHERE key = 'n:manager'`,
      );
      expect(rows[0].n).toBe(8);
      // other tests sign in as manager: forget these failures
      await h.db.query(`DELETE FROM sign_in_failures WHERE key LIKE '%manager'`);
    });

    test('issue 7: API tokens are hashed at rest, scoped, and revocable', async () => {
      const made = await h.call('POST', '/api/tokens', {
        as: 'admin',
        body: { name: 'shop', scopes: ['events:write'] },
      });
      expect(made.status).toBe(201);
      const secret: string = made.body.secret;
      const stored = await h.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
      expect(stored.rows.some((r) => r.token_hash === secret)).toBe(false);
      const ok = await h.call('POST', '/api/events', {
        token: secret,
        body: {
          events: [
            {
              idempotencyKey: 'tok-1',
              type: 'interaction.created',
              data: {
                interactionId: 'tok-1',
                customerId: 'C2',
                occurredAt: '2026-03-08T00:00:00Z',
                type: 'email',
              },
            },
          ],
        },
      });
      expect(ok.status).toBe(200);
      const outOfScope = await h.call('GET', '/api/customers', { token: secret });
      expect(outOfScope.status).toBe(403);
      expect(outOfScope.body.error.message).toMatch(/scope "customers:read"/);
      const tooMuch = await h.call('POST', '/api/tokens', {
        as: 'agent',
        body: { name: 'x', scopes: ['events:write'] },
      });
      expect(tooMuch.status).toBe(403);
      const revoked = await h.call('DELETE', `/api/tokens/${made.body.token.tokenId}`, {
        as: 'admin',
      });
      expect(revoked.status).toBe(200);
      const after = await h.call('POST', '/api/events', { token: secret, body: { events: [] } });
      expect(after.status).toBe(401);
    });

    test('issue 7: reads of personal data and changes are in the audit log with who, when, what and where', async () => {
      await h.call('GET', '/api/customers/C2', { as: 'manager' });
      await h.call('PATCH', '/api/customers/C2', { as: 'manager', body: { industry: '零售' } });
      const res = await h.call('GET', '/api/audit?customerId=C2&limit=10', { as: 'admin' });
      const actions = res.body.items.map(
        (e: { actor: string; action: string }) => `${e.actor} ${e.action}`,
      );
      expect(actions.slice(0, 2)).toEqual(['manager customer.update', 'manager customer.read']);
      expect(res.body.items[0].origin).toBe('127.0.0.1');
      expect(res.body.items[0].details).toEqual({ fields: ['industry'] });
    });

    test('issue 7: cursor paging walks every visible customer once, in order, also sorted descending', async () => {
      for (const sort of ['id', '-id', 'name', '-updated']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const q: string = `/api/customers?limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`;
          const page = await h.call('GET', q, { as: 'manager' });
          expect(page.status).toBe(200);
          seen.push(...page.body.items.map((c: { customerId: string }) => c.customerId));
          cursor = page.body.nextCursor;
        } while (cursor);
        const all = await h.call('GET', `/api/customers?limit=500&sort=${sort}`, { as: 'manager' });
        expect(seen).toEqual(all.body.items.map((c: { customerId: string }) => c.customerId));
        expect(new Set(seen).size).toBe(seen.length);
      }
      const bad = await h.call('GET', '/api/customers?cursor=nonsense', { as: 'manager' });
      expect(bad.status).toBe(400);
    });

    test('issue 7: a saved segment’s members are listed through the customer list, scoped and masked', async () => {
      const made = await h.call('POST', '/api/segments', {
        as: 'manager',
        body: { name: '南方客户', rule: "province IN ('广东', '上海')" },
      });
      expect(made.status).toBe(201);
      const id = made.body.segmentId;
      const bad = await h.call('POST', '/api/segments', {
        as: 'manager',
        body: { name: 'x', rule: 'province = ' },
      });
      expect(bad.status).toBe(400);
      const members = await h.call('GET', `/api/segments/${id}/members`, { as: 'analyst' });
      expect(
        members.body.items.map(
          (c: { customerId: string; name: string }) => `${c.customerId} ${c.name}`,
        ),
      ).toEqual(['C2 李*', 'C3 A**********']);
      const filtered = await h.call('GET', `/api/customers?segment=${id}`, { as: 'agent' });
      expect(filtered.status).toBe(200);
      expect(filtered.body.items.map((c: { customerId: string }) => c.customerId)).toEqual(['C2']);
    });

    test('issue 7: an analysis run starts at once and is polled to its result', async () => {
      const started = await h.call('POST', '/api/analysis-runs', {
        as: 'analyst',
        body: { asOf: '2026-03-31' },
      });
      expect(started.status).toBe(202);
      expect(started.body.status).toBe('running');
      let run = started.body;
      const deadline = Date.now() + 60_000;
      while (run.status === 'running' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        run = (await h.call('GET', `/api/analysis-runs/${started.body.runId}`, { as: 'analyst' }))
          .body;
      }
      expect(run.status, run.error).toBe('succeeded');
      expect(run.result.value.asOf).toBe('2026-03-31');
      expect(run.progress.length).toBeGreaterThan(0);
    });

    test('issue 7: the customer 360 has profile, timeline, totals and open tasks', async () => {
      const v = await h.call('GET', '/api/customers/C1/360', { as: 'agent' });
      expect(v.status).toBe(200);
      expect(v.body.customer.name).toBe('张三丰');
      expect(v.body.timeline.map((t: { kind: string; id: string }) => `${t.kind}:${t.id}`)).toEqual(
        ['interaction:I1', 'transaction:T2', 'transaction:T1'],
      );
      expect(v.body.totals).toEqual({ orders: 2, revenueMinor: 20000, interactions: 1 });
      expect(v.body.tasks.map((t: { taskId: string }) => t.taskId)).toEqual(['K1']);
    });

    test('issue 7: erasure removes the personal data from every table and keeps the orders under a pseudonym', async () => {
      const before = await h.db.query<{ n: number; s: number }>(
        'SELECT count(*)::int AS n, sum(amount_minor)::bigint AS s FROM transactions',
      );
      await h.call('GET', '/api/customers/C1/360', { as: 'admin' });
      const res = await h.call('DELETE', '/api/customers/C1', { as: 'admin' });
      expect(res.status).toBe(200);
      const pseudonym: string = res.body.pseudonym;
      // Every text-ish column of every table, searched for each erased value.
      const { rows: cols } = await h.db.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND data_type IN ('text', 'jsonb', 'ARRAY', 'character varying', 'json')`,
      );
      const hits: string[] = [];
      for (const value of [
        '张三丰',
        '13812345678',
        'zhang.sanfeng@example.com',
        'parcel to',
        'C1',
      ]) {
        for (const c of cols) {
          const { rows } = await h.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text ~ $1`,
            [
              value === 'C1'
                ? '(^|[^A-Za-z0-9_-])C1([^A-Za-z0-9_-]|$)'
                : value.replace(/[.]/g, '\\.'),
            ],
          );
          if (rows[0].n > 0) hits.push(`${value} in ${c.table_name}.${c.column_name}`);
        }
      }
      expect(hits).toEqual([]);
      const after = await h.db.query<{ n: number; s: number }>(
        'SELECT count(*)::int AS n, sum(amount_minor)::bigint AS s FROM transactions',
      );
      expect(after.rows[0]).toEqual(before.rows[0]);
      const kept = await h.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM transactions WHERE customer_id = $1',
        [pseudonym],
      );
      expect(kept.rows[0].n).toBe(2);
      expect((await h.call('GET', '/api/customers/C1', { as: 'admin' })).status).toBe(404);
      expect((await h.call('GET', `/api/customers/${pseudonym}`, { as: 'admin' })).status).toBe(
        404,
      );
    });

    test('issue 7: the OpenAPI 3.1 document lists every route and the docs page is self-contained', async () => {
      const doc = await h.call('GET', '/api/openapi.json');
      expect(doc.body.openapi).toBe('3.1.0');
      for (const r of h.app.tenure.registry.routes) {
        const p = r.url.replace(/:(\w+)/g, '{$1}');
        expect(doc.body.paths[p]?.[r.method.toLowerCase()], `${r.method} ${p}`).toBeDefined();
      }
      expect(doc.body.paths['/api/customers'].post.responses['422']).toBeDefined();
      const page = await fetch(`${h.base}/api/docs`);
      const html = await page.text();
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
      expect((await h.call('GET', '/api/health')).body).toEqual({ status: 'ok' });
      expect((await h.call('GET', '/api/ready')).body).toMatchObject({
        status: 'ready',
        backend: backend.name,
      });
    });
  });
}
