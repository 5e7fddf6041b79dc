/**
 * Issue 9 §1 and §4 through the API, over real HTTP on both backends with an analysed demo
 * business: a campaign on a saved segment with a hold-out per value tier, the contact list as
 * CSV and XLSX, responses, the measured uplift against a planted one, sending through webhooks
 * exactly once, and the daily work queue scoped to an agent's customers with tasks from it.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import { campaignReport } from '../src/store/campaign-repo.js';
import type { Db } from '../src/store/db.js';
import { runLifecycleAnalysis } from '../src/store/lifecycle-analysis.js';
import { workQueue } from '../src/store/next-action-repo.js';
import { runSegmentAnalysis } from '../src/store/segment-analysis.js';
import { runValueAnalysis } from '../src/store/value-analysis.js';
import { BACKENDS } from './backends.js';
import { type Harness, startHarness } from './server-helpers.js';

const asOf = new Date('2026-06-30T00:00:00Z');
const NOW = new Date('2026-08-05T08:00:00Z');
const PLANTED = 0.1;

async function prepare(db: Db) {
  await loadDemo(db, { customers: 800, years: 3, seed: 11, industry: 'retail', asOf });
  // The harness's agent is staff S1: give them the customers of the first account manager.
  await db.query(
    `UPDATE customers SET owner_id = 'S1' WHERE owner_id = (SELECT min(owner_id) FROM customers)`,
  );
  await runValueAnalysis(db, { asOf });
  await runLifecycleAnalysis(db, { asOf });
  await runSegmentAnalysis(db, { asOf: '2026-06-30' });
}

async function count(h: Harness, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await h.db.query<{ n: number }>(sql, params);
  return rows[0].n;
}

/** CSV bytes (RFC 4180 as the server writes it, UTF-8 with a BOM) to rows of cells. */
function parseCsv(bytes: ArrayBuffer): string[][] {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

async function download(h: Harness, path: string, as: 'manager' | 'analyst') {
  const res = await fetch(h.base + path, { headers: { cookie: h.sessions[as].cookie } });
  return { status: res.status, type: res.headers.get('content-type'), body: res };
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`campaigns and the work queue on ${backend.name}`, () => {
    let h: Harness;
    let segmentId: string;
    let campaignId: string;
    let treatment: string[];

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, prepare, now: () => NOW });
      const seg = await h.call('POST', '/api/segments', {
        as: 'manager',
        body: { name: '买过的客户', rule: 'orders >= 1' },
      });
      expect(seg.status).toBe(201);
      segmentId = seg.body.segmentId;
    }, 300_000);
    afterAll(async () => {
      await h?.close();
    });

    test('issue 9 §4: a manager creates a campaign on a saved segment; every value tier is held out in the asked share', async () => {
      const res = await h.call('POST', '/api/campaigns', {
        as: 'manager',
        body: {
          name: '夏季回购',
          segmentId,
          holdoutShare: 0.3,
          seed: 5,
          startsAt: '2026-07-01',
          endsAt: '2026-08-01',
          channel: 'sms',
          message: '夏季回购礼券，回复 TD 退订',
          costMinor: 50_000,
          costPerContactMinor: 20,
        },
      });
      expect(res.status).toBe(201);
      campaignId = res.body.campaignId;
      const members = await count(
        h,
        'SELECT count(*)::int AS n FROM segment_memberships WHERE segment_id = $1 AND left_at IS NULL',
        [segmentId],
      );
      expect(members).toBeGreaterThan(200);
      expect(res.body.members.treatment + res.body.members.control).toBe(members);
      expect(res.body.phase).toBe('ended');
      expect(res.body.progress).toEqual({ contacted: 0, responded: 0, sent: 0 });
      // stratified: each tier on its own is split 70/30 (rounded), as the database holds it
      const { rows } = await h.db.query<{ tier: string | null; arm: string; n: number }>(
        `SELECT tier, arm, count(*)::int AS n FROM campaign_members WHERE campaign_id = $1
         GROUP BY tier, arm ORDER BY tier, arm`,
        [campaignId],
      );
      const tiers = new Set(rows.map((r) => r.tier));
      expect(tiers.size).toBeGreaterThanOrEqual(3);
      expect(res.body.byTier).toHaveLength(tiers.size);
      for (const t of res.body.byTier) {
        const n = t.treatment + t.control;
        expect(t.control, `tier ${t.tier}`).toBe(Math.round(n * 0.3));
        expect(rows.find((r) => r.tier === t.tier && r.arm === 'control')?.n ?? 0).toBe(t.control);
      }
      const one = await h.call('GET', `/api/campaigns/${campaignId}`, { as: 'analyst' });
      expect(one.body).toEqual(res.body);
      const list = await h.call('GET', '/api/campaigns', { as: 'analyst' });
      expect(list.body.items.map((c: { campaignId: string }) => c.campaignId)).toContain(
        campaignId,
      );
      expect(
        await count(h, "SELECT count(*)::int AS n FROM audit_log WHERE action = 'campaign.create'"),
      ).toBe(1);
      treatment = (
        await h.db.query<{ customer_id: string }>(
          `SELECT customer_id FROM campaign_members WHERE campaign_id = $1 AND arm = 'treatment'
           ORDER BY customer_id`,
          [campaignId],
        )
      ).rows.map((r) => r.customer_id);
    });

    test.each([
      {
        title: 'both a segment and a list',
        body: { segmentId: 'x', customerIds: ['a', 'b'] },
        expected: { status: 400, code: 'invalid_input', message: /give either segmentId/ },
      },
      {
        title: 'an unknown segment',
        body: { segmentId: 'no-such-segment' },
        expected: { status: 404, code: 'not_found', message: /segment "no-such-segment"/ },
      },
      {
        title: 'a hold-out share of 1',
        body: { segmentId: 'x', holdoutShare: 1 },
        expected: { status: 400, code: 'invalid_input', message: /At body\.holdoutShare/ },
      },
      {
        title: 'a window that ends before it starts',
        body: { customerIds: ['C000001', 'C000002'], endsAt: '2026-06-01' },
        expected: { status: 400, code: 'invalid_input', message: /the end must come after/ },
      },
    ])(
      'creating a campaign with $title is $expected.status and writes nothing',
      async ({ body, expected }) => {
        const before = await count(h, 'SELECT count(*)::int AS n FROM campaigns');
        const res = await h.call('POST', '/api/campaigns', {
          as: 'manager',
          body: { name: '坏的', startsAt: '2026-07-01', endsAt: '2026-08-01', ...body },
        });
        expect(res.status).toBe(expected.status);
        expect(res.body.error.code).toBe(expected.code);
        expect(res.body.error.message).toMatch(expected.message);
        expect(await count(h, 'SELECT count(*)::int AS n FROM campaigns')).toBe(before);
      },
    );

    test('issue 9 §4: the contact list exports as CSV and XLSX with the same rows, masked for an analyst and audited for a manager', async () => {
      const csv = await download(h, `/api/campaigns/${campaignId}/contacts?format=csv`, 'manager');
      expect(csv.status).toBe(200);
      expect(csv.type).toBe('text/csv; charset=utf-8');
      const csvRows = parseCsv(await csv.body.arrayBuffer());
      const xlsx = await download(
        h,
        `/api/campaigns/${campaignId}/contacts?format=xlsx`,
        'manager',
      );
      expect(xlsx.status).toBe(200);
      expect(xlsx.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(await xlsx.body.arrayBuffer());
      const xlsxRows: string[][] = [];
      book.worksheets[0].eachRow((row) => {
        xlsxRows.push(
          (row.values as unknown[]).slice(1).map((v) => (v === undefined ? '' : String(v))),
        );
      });
      const width = csvRows[0].length;
      const pad = (r: string[]) => [...r, ...Array(width - r.length).fill('')];
      expect(xlsxRows.map(pad)).toEqual(csvRows);
      expect(csvRows[0][0]).toBe('客户编号 customer_id');
      expect(csvRows.slice(1).map((r) => r[0])).toEqual(treatment);
      expect(csvRows.slice(1).every((r) => r[6] === 'sms')).toBe(true);
      const audited = await h.db.query<{ details: { customers: string[] } }>(
        "SELECT details FROM audit_log WHERE action = 'campaign.contacts' AND actor = 'manager'",
      );
      expect(audited.rows).toHaveLength(2);
      expect(audited.rows[0].details.customers).toEqual(treatment);

      const masked = parseCsv(
        await (
          await download(h, `/api/campaigns/${campaignId}/contacts?format=csv`, 'analyst')
        ).body.arrayBuffer(),
      );
      expect(masked.map((r) => r[0])).toEqual(csvRows.map((r) => r[0]));
      const named = masked.slice(1).filter((r) => r[1] !== '');
      expect(named.length).toBeGreaterThan(0);
      expect(named.every((r) => /^.\*+$/u.test(r[1]))).toBe(true);
      expect(
        masked
          .slice(1)
          .filter((r) => r[2] !== '')
          .every((r) => /^\d{3}\*{4}\d{4}$/.test(r[2])),
      ).toBe(true);
      expect(
        await count(
          h,
          "SELECT count(*)::int AS n FROM audit_log WHERE action = 'campaign.contacts' AND actor = 'analyst'",
        ),
      ).toBe(0);
    });

    test('issue 9 §4: responses are recorded in one batch; a non-member rejects the batch and nothing changes', async () => {
      const bad = await h.call('POST', `/api/campaigns/${campaignId}/responses`, {
        as: 'manager',
        body: {
          contacts: { customerIds: treatment.slice(0, 3) },
          responses: [{ customerId: treatment[0] }, { customerId: 'ghost' }],
        },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/not members of campaign .*: ghost/);
      expect(
        await count(
          h,
          'SELECT count(*)::int AS n FROM campaign_members WHERE campaign_id = $1 AND (contacted_at IS NOT NULL OR responded_at IS NOT NULL)',
          [campaignId],
        ),
      ).toBe(0);
      const ok = await h.call('POST', `/api/campaigns/${campaignId}/responses`, {
        as: 'manager',
        body: {
          contacts: { customerIds: treatment.slice(0, 3), at: '2026-07-02T09:00:00+08:00' },
          responses: [
            { customerId: treatment[0], at: '2026-07-03T10:00:00Z', revenueMinor: 12_000 },
            { customerId: treatment[1], response: 'clicked' },
          ],
        },
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ contacted: 3, responses: 2 });
      const { rows } = await h.db.query<{ response: string; revenue_minor: number | null }>(
        'SELECT response, revenue_minor::int FROM campaign_members WHERE campaign_id = $1 AND customer_id = $2',
        [campaignId, treatment[0]],
      );
      expect(rows[0]).toEqual({ response: 'responded', revenue_minor: 12_000 });
    });

    test('issue 9 §4: the report’s uplift interval contains the planted uplift and is the numbers of `tenure campaign report`', async () => {
      const sim = await h.call('POST', `/api/campaigns/${campaignId}/simulate`, {
        as: 'manager',
        body: { baseRate: 0.1, uplift: PLANTED, seed: 9 },
      });
      expect(sim.status).toBe(200);
      expect(sim.body.orders).toBe(sim.body.treatmentConverted + sim.body.controlConverted);
      const res = await h.call('GET', `/api/campaigns/${campaignId}/report`, { as: 'analyst' });
      expect(res.status).toBe(200);
      const u = res.body.uplift.conversion;
      expect(u.method).toMatch(/Newcombe/);
      expect(u.low).toBeLessThan(PLANTED);
      expect(u.high).toBeGreaterThan(PLANTED);
      expect(u.low).toBeGreaterThan(0);
      expect(res.body.treatment.converted).toBe(sim.body.treatmentConverted);
      expect(res.body.control.converted).toBe(sim.body.controlConverted);
      expect(res.body.uplift.revenuePerCustomerMinor.difference).toBeGreaterThan(0);
      expect(res.body.costMinor).toBe(50_000 + 20 * res.body.treatment.contacted);
      expect(res.body.roi).not.toBeNull();
      // the CLI prints campaignReport(db, id) as JSON: the API answers the same numbers
      const direct = JSON.parse(JSON.stringify(await campaignReport(h.db, campaignId, NOW)));
      expect(res.body).toEqual({
        ...direct,
        campaign: { ...direct.campaign, phase: 'ended' },
      });
    });

    test('issue 9 §4: sending through a webhook enqueues one campaign.contact event per treatment member, once — also when sent twice at once', async () => {
      const hook = await h.call('POST', '/api/webhooks', {
        as: 'admin',
        body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['campaign.contact'] },
      });
      expect(hook.status).toBe(201);
      const first = await h.call('POST', `/api/campaigns/${campaignId}/send`, { as: 'manager' });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        events: treatment.length,
        alreadySent: 0,
        deliveries: treatment.length,
      });
      const again = await h.call('POST', `/api/campaigns/${campaignId}/send`, { as: 'manager' });
      expect(again.body).toEqual({ events: 0, alreadySent: treatment.length, deliveries: 0 });
      const outbox = await h.db.query<{ customer_id: string; payload: Record<string, unknown> }>(
        `SELECT customer_id, payload FROM webhook_outbox WHERE event_type = 'campaign.contact'
         ORDER BY customer_id`,
      );
      expect(outbox.rows.map((r) => r.customer_id)).toEqual(treatment);
      const p = outbox.rows[0].payload as {
        id: string;
        type: string;
        data: Record<string, unknown>;
      };
      expect(p.type).toBe('campaign.contact');
      expect(p.data).toMatchObject({
        campaignId,
        customerId: treatment[0],
        channel: 'sms',
        message: '夏季回购礼券，回复 TD 退订',
      });
      expect(
        await count(
          h,
          "SELECT count(*)::int AS n FROM webhook_deliveries d JOIN webhook_outbox o USING (event_id) WHERE o.event_type = 'campaign.contact'",
        ),
      ).toBe(treatment.length);
      const detail = await h.call('GET', `/api/campaigns/${campaignId}`, { as: 'manager' });
      expect(detail.body.progress.sent).toBe(treatment.length);
      expect(detail.body.progress.contacted).toBe(treatment.length);

      // a second campaign sent twice at the same moment
      const made = await h.call('POST', '/api/campaigns', {
        as: 'admin',
        body: {
          name: '并发发送',
          segmentId,
          holdoutShare: 0.5,
          startsAt: '2026-09-01',
          endsAt: '2026-10-01',
        },
      });
      const [a, b] = await Promise.all([
        h.call('POST', `/api/campaigns/${made.body.campaignId}/send`, { as: 'manager' }),
        h.call('POST', `/api/campaigns/${made.body.campaignId}/send`, { as: 'admin' }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body.events + b.body.events).toBe(made.body.members.treatment);
      expect(
        await count(
          h,
          `SELECT count(*)::int AS n FROM webhook_outbox WHERE event_type = 'campaign.contact'`,
        ),
      ).toBe(treatment.length + made.body.members.treatment);
    });

    test('issue 9 §1: an agent’s work queue holds only their customers, whatever owner they ask for; each item has its action, reason and expected value', async () => {
      const mine = await h.call('GET', '/api/queue?limit=500', { as: 'agent' });
      expect(mine.status).toBe(200);
      expect(mine.body.owner).toBe('S1');
      expect(mine.body.asOf).toBe('2026-08-05');
      const items = mine.body.items as {
        customerId: string;
        customerName: string | null;
        ownerId: string;
        title: { zh: string };
        reason: { zh: string; en: string };
        expectedValueMinor: number;
      }[];
      expect(items.length).toBeGreaterThan(5);
      const owned = new Set(
        (
          await h.db.query<{ customer_id: string }>(
            "SELECT customer_id FROM customers WHERE owner_id = 'S1'",
          )
        ).rows.map((r) => r.customer_id),
      );
      expect(items.every((a) => owned.has(a.customerId) && a.ownerId === 'S1')).toBe(true);
      expect(items.every((a) => a.reason.zh.length > 0 && a.expectedValueMinor > 0)).toBe(true);
      expect(items.every((a) => a.customerName !== null)).toBe(true);
      for (let i = 1; i < items.length; i++) {
        expect(items[i - 1].expectedValueMinor).toBeGreaterThanOrEqual(items[i].expectedValueMinor);
      }
      const other = await h.db.query<{ owner_id: string }>(
        "SELECT min(owner_id) AS owner_id FROM customers WHERE owner_id <> 'S1'",
      );
      const asked = await h.call('GET', `/api/queue?limit=500&owner=${other.rows[0].owner_id}`, {
        as: 'agent',
      });
      expect(asked.body.items).toEqual(mine.body.items);
      const manager = await h.call('GET', '/api/queue?limit=500&owner=S1', { as: 'manager' });
      expect(manager.body.items).toEqual(mine.body.items);
      const everyone = await h.call('GET', '/api/queue?limit=500', { as: 'manager' });
      expect(
        new Set(everyone.body.items.map((a: { ownerId: string }) => a.ownerId)).size,
      ).toBeGreaterThan(1);
    });

    test('issue 9 §1: the owner’s queue read for their customers only is the everyone-queue filtered to them, also with the pyramid tier computed', async () => {
      const untiered = 'SELECT count(*)::int AS n FROM score_snapshots WHERE tier IS NULL';
      const before = await count(h, untiered);
      const everyone = await workQueue(h.db, { asOf, limit: 100_000 });
      const own = await workQueue(h.db, { asOf, ownerId: 'S1', limit: 100_000 });
      expect(own).toEqual(everyone.filter((a) => a.ownerId === 'S1'));
      // without stored tiers the default pyramid cut applies (rolled back afterwards)
      const rollback = new Error('rollback');
      await expect(
        h.db.transaction(async (tx) => {
          await tx.query('UPDATE score_snapshots SET tier = NULL');
          const all = await workQueue(tx, { asOf, limit: 100_000 });
          const s1 = await workQueue(tx, { asOf, ownerId: 'S1', limit: 100_000 });
          expect(s1).toEqual(all.filter((a) => a.ownerId === 'S1'));
          expect(new Set(s1.map((a) => a.tier)).size).toBeGreaterThan(1);
          throw rollback;
        }),
      ).rejects.toBe(rollback);
      expect(await count(h, untiered)).toBe(before);
    });

    test('issue 9 §1: one click puts a queued action in the task list once; another agent’s customer is 404 and nothing is written', async () => {
      const q = await h.call('GET', '/api/queue?limit=3', { as: 'agent' });
      const id = q.body.items[0].customerId;
      const made = await h.call('POST', '/api/queue/tasks', {
        as: 'agent',
        body: { customerIds: [id] },
      });
      expect(made.status).toBe(201);
      expect(made.body.created).toBe(1);
      expect(made.body.items[0]).toEqual(
        (({ customerName: _n, ...rest }) => rest)(q.body.items[0]),
      );
      const again = await h.call('POST', '/api/queue/tasks', {
        as: 'agent',
        body: { customerIds: [id] },
      });
      expect(again.body.created).toBe(0);
      const tasks = await h.call('GET', '/api/tasks', { as: 'agent' });
      expect(
        tasks.body.items.filter(
          (t: { customerId: string; type: string }) =>
            t.customerId === id && t.type === 'next-action',
        ),
      ).toHaveLength(1);
      const theirs = await h.db.query<{ customer_id: string }>(
        "SELECT min(customer_id) AS customer_id FROM customers WHERE owner_id <> 'S1'",
      );
      const before = await count(h, 'SELECT count(*)::int AS n FROM tasks');
      const steal = await h.call('POST', '/api/queue/tasks', {
        as: 'agent',
        body: { customerIds: [q.body.items[1].customerId, theirs.rows[0].customer_id] },
      });
      expect(steal.status).toBe(404);
      expect(steal.body.error.message).toBe(
        `customers do not exist: ${theirs.rows[0].customer_id}`,
      );
      expect(await count(h, 'SELECT count(*)::int AS n FROM tasks')).toBe(before);
    });
  });
}
