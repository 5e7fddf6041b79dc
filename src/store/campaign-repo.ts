/**
 * Campaigns (issue 9 §4): target a saved segment (its current members, segment_memberships with
 * left_at IS NULL) or an explicit customer list; split into treatment and control by the
 * engine's stratified assignment over the value tier in force; record contacts and responses;
 * measure after the window.
 *
 * Measurement over the window [starts_at, ends_at): a member converts when they place a
 * completed order in it; revenue is the sum of those orders (0 for the others); retention is
 * the share whose relationship stage at the window's end is not 流失 churned (null when no
 * analysis reaches the window's end). Uplift = treatment − control with confidence intervals
 * (engine/actions/campaign.ts). Cost = fixed cost + cost per contact × contacts (treatment
 * members when none were recorded); incremental margin = revenue uplift per customer ×
 * treatment members × margin share (the campaign's, else the window's orders' own when they
 * carry costs, else the base's); ROI =
 * (incremental margin − cost) ÷ cost.
 */
import { randomBytes } from 'node:crypto';
import {
  type Arm,
  assignArms,
  type Difference,
  differenceOfProportions,
  simulateCampaignResponses,
  welchDifference,
} from '../engine/index.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import { type Actor, maskEmail, maskName, maskPhone, scopeOf } from './access.js';
import { scoresCte, stageCte } from './action-scores-sql.js';
import { audit } from './audit-repo.js';
import type { Db } from './db.js';
import type { WebhookEventType } from './webhook-repo.js';

export interface CampaignInput {
  campaignId?: string;
  name: string;
  segmentId?: string;
  customerIds?: readonly string[];
  action?: string;
  channel?: string;
  message?: string;
  holdoutShare: number;
  seed?: number;
  startsAt: Date;
  endsAt: Date;
  costMinor?: number;
  costPerContactMinor?: number;
  marginShare?: number;
}

export interface Campaign {
  campaignId: string;
  name: string;
  segmentId: string | null;
  action: string | null;
  channel: string | null;
  message: string | null;
  holdoutShare: number;
  seed: number;
  status: string;
  startsAt: Date | null;
  endsAt: Date | null;
  costMinor: number;
  costPerContactMinor: number;
  marginShare: number | null;
  members: { treatment: number; control: number };
  byTier: { tier: string | null; treatment: number; control: number }[];
}

interface CampaignRow {
  campaign_id: string;
  name: string;
  segment_id: string | null;
  action: string | null;
  channel: string | null;
  message: string | null;
  holdout_share: number;
  seed: number;
  status: string;
  starts_at: Date | null;
  ends_at: Date | null;
  cost_minor: string | null;
  cost_per_contact_minor: string;
  margin_share: number | null;
}

async function loadCampaign(db: Db, id: string): Promise<Campaign> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT campaign_id, name, segment_id, action, channel, message, holdout_share, seed, status,
       starts_at, ends_at, cost_minor, cost_per_contact_minor, margin_share
     FROM campaigns WHERE campaign_id = $1`,
    [id],
  );
  if (rows.length === 0) {
    throw new NotFoundError(`campaign "${id}" does not exist`, { field: 'campaign', value: id });
  }
  const r = rows[0];
  const tiers = await db.query<{ tier: string | null; arm: Arm; n: number }>(
    `SELECT tier, arm, count(*)::int AS n FROM campaign_members WHERE campaign_id = $1
     GROUP BY tier, arm ORDER BY tier NULLS LAST, arm`,
    [id],
  );
  const byTier = new Map<
    string | null,
    { tier: string | null; treatment: number; control: number }
  >();
  for (const t of tiers.rows) {
    const e = byTier.get(t.tier) ?? { tier: t.tier, treatment: 0, control: 0 };
    e[t.arm] = t.n;
    byTier.set(t.tier, e);
  }
  const list = [...byTier.values()];
  return {
    campaignId: r.campaign_id,
    name: r.name,
    segmentId: r.segment_id,
    action: r.action,
    channel: r.channel,
    message: r.message,
    holdoutShare: r.holdout_share,
    seed: r.seed,
    status: r.status,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    costMinor: Number(r.cost_minor ?? 0),
    costPerContactMinor: Number(r.cost_per_contact_minor),
    marginShare: r.margin_share,
    members: {
      treatment: list.reduce((s, t) => s + t.treatment, 0),
      control: list.reduce((s, t) => s + t.control, 0),
    },
    byTier: list,
  };
}

export const getCampaign = loadCampaign;

/**
 * Creates a campaign and its randomised groups in one transaction. The target is a segment's
 * current members or an explicit list (unknown customers are refused, naming the first ones).
 */
export async function createCampaign(db: Db, input: CampaignInput): Promise<Campaign> {
  if (input.name.trim() === '')
    throw new InputError('name: a campaign needs a name', { field: 'name' });
  if ((input.segmentId === undefined) === (input.customerIds === undefined)) {
    throw new InputError('target: give either a segment or a list of customers', {
      field: 'target',
    });
  }
  if (!(input.endsAt.getTime() > input.startsAt.getTime())) {
    throw new InputError('window: the end must come after the start', { field: 'endsAt' });
  }
  for (const [field, v] of [
    ['costMinor', input.costMinor],
    ['costPerContactMinor', input.costPerContactMinor],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
      throw new InputError(`${field}: expected a whole number of fen ≥ 0, got ${v}`, {
        field,
        value: v,
      });
    }
  }
  if (input.marginShare !== undefined && !(input.marginShare >= 0 && input.marginShare <= 1)) {
    throw new InputError(`marginShare: expected 0 to 1, got ${input.marginShare}`, {
      field: 'marginShare',
    });
  }
  const campaignId = input.campaignId ?? `K${randomBytes(5).toString('hex')}`;
  const seed = input.seed ?? 1;
  return db.transaction(async (tx) => {
    let ids: string[];
    if (input.segmentId !== undefined) {
      const seg = await tx.query('SELECT 1 FROM segments WHERE segment_id = $1', [input.segmentId]);
      if (seg.rows.length === 0) {
        throw new NotFoundError(`segment "${input.segmentId}" does not exist`, {
          field: 'segment',
          value: input.segmentId,
        });
      }
      const { rows } = await tx.query<{ customer_id: string }>(
        `SELECT DISTINCT customer_id FROM segment_memberships
         WHERE segment_id = $1 AND left_at IS NULL ORDER BY customer_id`,
        [input.segmentId],
      );
      ids = rows.map((r) => r.customer_id);
    } else {
      ids = [...new Set(input.customerIds)];
      const { rows } = await tx.query<{ id: string }>(
        `SELECT u.id FROM unnest($1::text[]) AS u(id)
         WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = u.id) ORDER BY u.id LIMIT 5`,
        [ids],
      );
      if (rows.length > 0) {
        throw new InputError(`customers do not exist: ${rows.map((r) => r.id).join(', ')}`, {
          field: 'customers',
          value: rows.map((r) => r.id),
        });
      }
    }
    if (ids.length < 2) {
      throw new InputError(
        `target: a campaign needs at least 2 customers to split, got ${ids.length}`,
        {
          field: 'target',
        },
      );
    }
    const tiers = await tx.query<{ customer_id: string; tier: string | null }>(
      `WITH ${scoresCte('$2')}
       SELECT u.id AS customer_id, s.tier FROM unnest($1::text[]) AS u(id)
       LEFT JOIN scores s ON s.customer_id = u.id`,
      [ids, input.startsAt.toISOString().slice(0, 10)],
    );
    const arms = assignArms(
      tiers.rows.map((r) => ({ customerId: r.customer_id, tier: r.tier })),
      input.holdoutShare,
      seed,
    );
    const inserted = await tx.query(
      `INSERT INTO campaigns (campaign_id, name, segment_id, channel, message, holdout_share, status,
         starts_at, ends_at, cost_minor, action, seed, cost_per_contact_minor, margin_share, target)
       VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (campaign_id) DO NOTHING`,
      [
        campaignId,
        input.name,
        input.segmentId ?? null,
        input.channel ?? null,
        input.message ?? null,
        input.holdoutShare,
        input.startsAt,
        input.endsAt,
        input.costMinor ?? 0,
        input.action ?? null,
        seed,
        input.costPerContactMinor ?? 0,
        input.marginShare ?? null,
        JSON.stringify(
          input.segmentId !== undefined
            ? { segmentId: input.segmentId }
            : { customers: ids.length },
        ),
      ],
    );
    if (inserted.rowCount === 0) {
      throw new ConflictError(`campaign "${campaignId}" already exists`, {
        field: 'campaign',
        value: campaignId,
      });
    }
    await tx.query(
      `INSERT INTO campaign_members (customer_id, campaign_id, arm, tier)
       SELECT a.id, $1, a.arm, a.tier FROM unnest($2::text[], $3::text[], $4::text[]) AS a(id, arm, tier)`,
      [campaignId, arms.map((a) => a.customerId), arms.map((a) => a.arm), arms.map((a) => a.tier)],
    );
    return loadCampaign(tx, campaignId);
  });
}

/** Every campaign, newest first. */
export async function listCampaigns(db: Db): Promise<Campaign[]> {
  const { rows } = await db.query<{ campaign_id: string }>(
    'SELECT campaign_id FROM campaigns ORDER BY created_at DESC, campaign_id',
  );
  const out: Campaign[] = [];
  for (const r of rows) out.push(await loadCampaign(db, r.campaign_id));
  return out;
}

export interface ContactRow {
  customerId: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  ownerId: string | null;
  tier: string | null;
  channel: string | null;
  message: string | null;
  contactedAt: Date | null;
}

/**
 * The treatment group's contact list (the control group is never contacted), as `actor` may see
 * it: an agent only their own customers, an analyst with names, phones and e-mails masked. A
 * read of unmasked personal data is audited ('campaign.contacts', with the customers listed).
 */
export async function campaignContacts(db: Db, actor: Actor, id: string): Promise<ContactRow[]> {
  await loadCampaign(db, id);
  const s = scopeOf(actor);
  const { rows } = await db.query<{
    customer_id: string;
    name: string | null;
    phone: string | null;
    email: string | null;
    owner_id: string | null;
    tier: string | null;
    channel: string | null;
    message: string | null;
    contacted_at: Date | null;
  }>(
    `SELECT m.customer_id, c.name, c.phones[1] AS phone, c.emails[1] AS email, c.owner_id, m.tier,
       k.channel, k.message, m.contacted_at
     FROM campaign_members m JOIN customers c ON c.customer_id = m.customer_id
     JOIN campaigns k ON k.campaign_id = m.campaign_id
     WHERE m.campaign_id = $1 AND m.arm = 'treatment' AND c.erased_at IS NULL
       AND ($2::boolean = false OR c.owner_id = $3::text)
     ORDER BY m.customer_id`,
    [id, s.ownOnly, s.ownerId],
  );
  if (!s.mask && rows.length > 0) {
    await audit(db, actor, 'campaign.contacts', null, {
      campaignId: id,
      customers: rows.map((r) => r.customer_id),
    });
  }
  return rows.map((r) => ({
    customerId: r.customer_id,
    name: r.name === null ? null : s.mask ? maskName(r.name) : r.name,
    phone: r.phone === null ? null : s.mask ? maskPhone(r.phone) : r.phone,
    email: r.email === null ? null : s.mask ? maskEmail(r.email) : r.email,
    ownerId: r.owner_id,
    tier: r.tier,
    channel: r.channel,
    message: r.message,
    contactedAt: r.contacted_at,
  }));
}

/** The contact list's columns in the CSV/XLSX export (the CLI's and the API's). */
export const CONTACT_HEADERS: readonly string[] = Object.freeze([
  '客户编号 customer_id',
  '姓名 name',
  '手机 phone',
  '邮箱 email',
  '客户经理 owner',
  '等级 tier',
  '渠道 channel',
  '话术 message',
]);

/** One contact as an export row, in CONTACT_HEADERS order. */
export function contactCells(r: ContactRow): (string | null)[] {
  return [r.customerId, r.name, r.phone, r.email, r.ownerId, r.tier, r.channel, r.message];
}

/** The id of the `campaign.contact` event of member `m` of campaign $1: one per member, ever. */
const CONTACT_EVENT_ID = `'evt_k' || substr(md5($1 || '|' || m.customer_id), 1, 24)`;

/**
 * "Send through a webhook" (issue 9 §4): one `campaign.contact` event per treatment member in
 * the webhook outbox, with a delivery for each active subscriber to that type, and the members
 * not yet contacted marked contacted at `at` — all in one transaction. Each event's id is derived
 * from the campaign and the customer, and the outbox row is inserted with ON CONFLICT DO NOTHING,
 * so sending again (or twice at once) enqueues nothing more. The payload carries what a sending
 * system needs (name, first phone and e-mail, channel, message); erasure clears it like any
 * webhook payload.
 */
export async function sendCampaign(
  db: Db,
  actor: Actor,
  id: string,
  at: Date,
): Promise<{ events: number; alreadySent: number; deliveries: number }> {
  await loadCampaign(db, id);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ events: number; deliveries: number; members: number }>(
      `WITH members AS (
         SELECT m.customer_id, m.tier, c.name, c.phones[1] AS phone, c.emails[1] AS email,
           c.owner_id, k.name AS campaign_name, k.action, k.channel, k.message
         FROM campaign_members m JOIN customers c ON c.customer_id = m.customer_id
         JOIN campaigns k ON k.campaign_id = m.campaign_id
         WHERE m.campaign_id = $1 AND m.arm = 'treatment' AND c.erased_at IS NULL),
       ins AS (
         INSERT INTO webhook_outbox (event_id, event_type, customer_id, payload)
         SELECT e.event_id, $2, m.customer_id, jsonb_build_object(
             'id', e.event_id, 'type', $2::text, 'createdAt', to_char($3::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'data', jsonb_build_object('campaignId', $1::text, 'campaignName', m.campaign_name,
               'customerId', m.customer_id, 'name', m.name, 'phone', m.phone, 'email', m.email,
               'ownerId', m.owner_id, 'tier', m.tier, 'action', m.action, 'channel', m.channel,
               'message', m.message))
         FROM members m
         CROSS JOIN LATERAL (SELECT ${CONTACT_EVENT_ID} AS event_id) e
         ON CONFLICT (event_id) DO NOTHING
         RETURNING event_id),
       dlv AS (
         INSERT INTO webhook_deliveries (event_id, subscription_id)
         SELECT ins.event_id, s.subscription_id FROM ins
         JOIN webhook_subscriptions s ON s.active AND $2 = ANY(s.event_types)
         RETURNING 1)
       SELECT (SELECT count(*) FROM ins)::int AS events, (SELECT count(*) FROM dlv)::int AS deliveries,
         (SELECT count(*) FROM members)::int AS members`,
      [id, 'campaign.contact' satisfies WebhookEventType, at],
    );
    const sent = rows[0];
    if (sent.events > 0) {
      await tx.query(
        `UPDATE campaign_members SET contacted_at = $2
         WHERE campaign_id = $1 AND arm = 'treatment' AND contacted_at IS NULL`,
        [id, at],
      );
    }
    await audit(tx, actor, 'campaign.send', null, {
      campaignId: id,
      events: sent.events,
      deliveries: sent.deliveries,
    });
    return {
      events: sent.events,
      alreadySent: sent.members - sent.events,
      deliveries: sent.deliveries,
    };
  });
}

/** Progress of a campaign: treatment members contacted and responded, contact events sent. */
export async function campaignProgress(
  db: Db,
  id: string,
): Promise<{ contacted: number; responded: number; sent: number }> {
  const { rows } = await db.query<{ contacted: number; responded: number; sent: number }>(
    `SELECT count(m.contacted_at)::int AS contacted, count(m.responded_at)::int AS responded,
       count(o.event_id)::int AS sent
     FROM campaign_members m
     LEFT JOIN webhook_outbox o ON o.event_id = ${CONTACT_EVENT_ID}
     WHERE m.campaign_id = $1 AND m.arm = 'treatment'`,
    [id],
  );
  return rows[0];
}

/** Records contact of treatment members (all of them when no list is given); returns how many. */
export async function recordContacts(
  db: Db,
  id: string,
  at: Date,
  customerIds?: readonly string[],
): Promise<number> {
  await loadCampaign(db, id);
  const r = await db.query(
    `UPDATE campaign_members SET contacted_at = $2
     WHERE campaign_id = $1 AND arm = 'treatment' AND contacted_at IS NULL
       AND ($3::text[] IS NULL OR customer_id = ANY($3::text[]))`,
    [id, at, customerIds ?? null],
  );
  return r.rowCount;
}

export interface ResponseInput {
  customerId: string;
  at: Date;
  response?: string;
  revenueMinor?: number;
}

/**
 * Records responses (all or nothing): every customer must be a member of the campaign. A
 * response recorded again replaces the earlier one.
 */
export async function recordResponses(
  db: Db,
  id: string,
  responses: readonly ResponseInput[],
): Promise<number> {
  await loadCampaign(db, id);
  return db.transaction(async (tx) => {
    const ids = responses.map((r) => r.customerId);
    const missing = await tx.query<{ id: string }>(
      `SELECT u.id FROM unnest($2::text[]) AS u(id)
       WHERE NOT EXISTS (SELECT 1 FROM campaign_members m WHERE m.campaign_id = $1 AND m.customer_id = u.id)
       LIMIT 5`,
      [id, ids],
    );
    if (missing.rows.length > 0) {
      throw new InputError(
        `not members of campaign ${id}: ${missing.rows.map((r) => r.id).join(', ')}`,
        { field: 'customerId', value: missing.rows.map((r) => r.id) },
      );
    }
    const r = await tx.query(
      `UPDATE campaign_members m SET responded_at = u.at, response = u.response, revenue_minor = u.revenue
       FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::bigint[]) AS u(id, at, response, revenue)
       WHERE m.campaign_id = $1 AND m.customer_id = u.id`,
      [
        id,
        ids,
        responses.map((r) => r.at),
        responses.map((r) => r.response ?? 'responded'),
        responses.map((r) => (r.revenueMinor === undefined ? null : r.revenueMinor)),
      ],
    );
    return r.rowCount;
  });
}

export interface ArmResult {
  members: number;
  contacted: number;
  responded: number;
  converted: number;
  conversionRate: number;
  revenueMinor: number;
  revenuePerCustomerMinor: number;
  retained: number | null;
  retentionRate: number | null;
}

export interface CampaignReport {
  campaign: Campaign;
  window: { start: string; end: string; complete: boolean };
  treatment: ArmResult;
  control: ArmResult;
  uplift: {
    conversion: Difference | null;
    revenuePerCustomerMinor: (Difference & { df: number; standardError: number }) | null;
    retention: Difference | null;
    churn: Difference | null;
  };
  costMinor: number;
  marginShare: number;
  incrementalRevenueMinor: number | null;
  incrementalMarginMinor: number | null;
  roi: number | null;
}

/** The campaign's results after (or during) its window; see the header for the definitions. */
export async function campaignReport(
  db: Db,
  id: string,
  now = new Date(),
): Promise<CampaignReport> {
  const campaign = await loadCampaign(db, id);
  const start = campaign.startsAt as Date;
  const end = campaign.endsAt as Date;
  const { rows } = await db.query<{
    arm: Arm;
    members: number;
    contacted: number;
    responded: number;
    converted: number;
    revenue: string;
    revenue_sq: string;
    retained: number | null;
    staged: number;
    margin: string;
  }>(
    `WITH ${stageCte('$3', 'SELECT customer_id FROM campaign_members WHERE campaign_id = $1')},
     rev AS (SELECT t.customer_id, sum(t.amount_minor) AS revenue,
               sum(t.amount_minor - COALESCE(t.cost_minor, 0)) AS margin,
               bool_or(t.cost_minor IS NOT NULL) AS costed
             FROM transactions t JOIN campaign_members m ON m.customer_id = t.customer_id AND m.campaign_id = $1
             WHERE t.status = 'completed' AND t.occurred_at >= $2 AND t.occurred_at < $3
             GROUP BY t.customer_id)
     SELECT m.arm, count(*)::int AS members, count(m.contacted_at)::int AS contacted,
       count(m.responded_at)::int AS responded, count(r.customer_id)::int AS converted,
       COALESCE(sum(r.revenue), 0)::text AS revenue,
       COALESCE(sum(r.revenue::numeric * r.revenue::numeric), 0)::text AS revenue_sq,
       count(st.customer_id) FILTER (WHERE st.stage <> 'churned')::int AS retained,
       count(st.customer_id)::int AS staged,
       COALESCE(sum(r.margin) FILTER (WHERE r.costed), 0)::text AS margin
     FROM campaign_members m
     LEFT JOIN rev r ON r.customer_id = m.customer_id
     LEFT JOIN stage st ON st.customer_id = m.customer_id
     WHERE m.campaign_id = $1 GROUP BY m.arm`,
    [id, start, end],
  );
  const arm = (
    a: Arm,
    measured: boolean,
  ): ArmResult & { sum: number; sumSq: number; staged: number; margin: number } => {
    const r = rows.find((x) => x.arm === a);
    const members = r?.members ?? 0;
    const revenue = Number(r?.revenue ?? 0);
    const staged = measured ? (r?.staged ?? 0) : 0;
    return {
      members,
      contacted: r?.contacted ?? 0,
      responded: r?.responded ?? 0,
      converted: r?.converted ?? 0,
      conversionRate: members === 0 ? 0 : (r?.converted ?? 0) / members,
      revenueMinor: revenue,
      revenuePerCustomerMinor: members === 0 ? 0 : revenue / members,
      retained: staged === members && members > 0 ? (r?.retained ?? 0) : null,
      retentionRate: staged === members && members > 0 ? (r?.retained ?? 0) / members : null,
      sum: revenue,
      sumSq: Number(r?.revenue_sq ?? 0),
      staged,
      margin: Number(r?.margin ?? 0),
    };
  };
  // Retention needs a stage evaluation at or after the window's end, else it is not measured.
  const evaluated = await db.query<{ ok: boolean }>(
    `SELECT COALESCE(max(changed_at) >= $1, false) AS ok FROM stage_history
     WHERE model_id = 'relationship'`,
    [end],
  );
  const base = await db.query<{ share: number | null }>(
    `SELECT sum(amount_minor - cost_minor)::float8 / NULLIF(sum(amount_minor), 0)::float8 AS share
     FROM transactions WHERE status = 'completed' AND cost_minor IS NOT NULL`,
  );
  const t = arm('treatment', evaluated.rows[0].ok);
  const c = arm('control', evaluated.rows[0].ok);
  const conversion = differenceOfProportions(t.converted, t.members, c.converted, c.members);
  const revenue = welchDifference(
    { n: t.members, sum: t.sum, sumSquares: t.sumSq },
    { n: c.members, sum: c.sum, sumSquares: c.sumSq },
  );
  const retention =
    t.retained !== null && c.retained !== null
      ? differenceOfProportions(t.retained, t.members, c.retained, c.members)
      : null;
  const churn =
    t.retained !== null && c.retained !== null
      ? differenceOfProportions(
          t.members - t.retained,
          t.members,
          c.members - c.retained,
          c.members,
        )
      : null;
  const contacts = t.contacted > 0 ? t.contacted : t.members;
  const costMinor = campaign.costMinor + campaign.costPerContactMinor * contacts;
  const revenueAll = t.sum + c.sum;
  // the window's own margin when its orders carry costs, else the base's
  const marginShare =
    campaign.marginShare ??
    (revenueAll > 0 && t.margin + c.margin > 0 ? (t.margin + c.margin) / revenueAll : null) ??
    base.rows[0].share ??
    0;
  const incrementalRevenueMinor =
    revenue === null ? null : Math.round(revenue.difference * t.members);
  const incrementalMarginMinor =
    incrementalRevenueMinor === null ? null : Math.round(incrementalRevenueMinor * marginShare);
  const strip = ({ sum: _s, sumSq: _q, staged: _g, margin: _m, ...rest }: ReturnType<typeof arm>) =>
    rest;
  return {
    campaign,
    window: {
      start: start.toISOString(),
      end: end.toISOString(),
      complete: now.getTime() >= end.getTime(),
    },
    treatment: strip(t),
    control: strip(c),
    uplift: { conversion, revenuePerCustomerMinor: revenue, retention, churn },
    costMinor,
    marginShare,
    incrementalRevenueMinor,
    incrementalMarginMinor,
    roi:
      incrementalMarginMinor === null || costMinor === 0
        ? null
        : (incrementalMarginMinor - costMinor) / costMinor,
  };
}

/**
 * Demo only: simulated responses with a planted true uplift (engine's
 * `simulateCampaignResponses`): converters' orders are added as completed transactions in the
 * window (ids `SIM-<campaign>-<customer>`, so running it again adds nothing) and treatment
 * converters are marked responded. Refused on a database that holds no demo business.
 */
export async function simulateDemoResponses(
  db: Db,
  id: string,
  options: { baseRate: number; uplift: number; seed?: number; meanOrderMinor?: number },
): Promise<{ orders: number; treatmentConverted: number; controlConverted: number }> {
  const demo = await db.query("SELECT 1 FROM demo_meta WHERE key = 'demo'");
  if (demo.rows.length === 0) {
    throw new InputError(
      'simulated responses are for the demo business only; this database holds no demo',
      {
        field: 'campaign',
        value: id,
      },
    );
  }
  const campaign = await loadCampaign(db, id);
  const members = await db.query<{ customer_id: string; arm: Arm }>(
    'SELECT customer_id, arm FROM campaign_members WHERE campaign_id = $1',
    [id],
  );
  const responses = simulateCampaignResponses(
    members.rows.map((m) => ({ customerId: m.customer_id, arm: m.arm })),
    {
      baseRate: options.baseRate,
      uplift: options.uplift,
      seed: options.seed ?? campaign.seed,
      windowStart: (campaign.startsAt as Date).getTime(),
      windowEnd: (campaign.endsAt as Date).getTime(),
      meanOrderMinor: options.meanOrderMinor ?? 30_000,
    },
  );
  return db.transaction(async (tx) => {
    const r = await tx.query(
      `INSERT INTO transactions (customer_id, transaction_id, occurred_at, amount_minor, channel, status)
       SELECT u.id, 'SIM-' || $1 || '-' || u.id, u.at, u.amount, 'campaign', 'completed'
       FROM unnest($2::text[], $3::timestamptz[], $4::bigint[]) AS u(id, at, amount)
       ON CONFLICT DO NOTHING`,
      [
        id,
        responses.map((x) => x.customerId),
        responses.map((x) => new Date(x.at)),
        responses.map((x) => x.amountMinor),
      ],
    );
    const treated = responses.filter((x) => x.arm === 'treatment');
    await tx.query(
      `UPDATE campaign_members m SET responded_at = u.at, response = 'purchased', revenue_minor = u.amount
       FROM unnest($2::text[], $3::timestamptz[], $4::bigint[]) AS u(id, at, amount)
       WHERE m.campaign_id = $1 AND m.customer_id = u.id`,
      [
        id,
        treated.map((x) => x.customerId),
        treated.map((x) => new Date(x.at)),
        treated.map((x) => x.amountMinor),
      ],
    );
    return {
      orders: r.rowCount,
      treatmentConverted: treated.length,
      controlConverted: responses.length - treated.length,
    };
  });
}
