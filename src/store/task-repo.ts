/**
 * Tasks and the reminder scheduler (issue 9 §3). Tasks are created by people (`createTask`), and
 * by `runScheduler`, which inserts every reminder due in the horizon — holidays, birthdays,
 * revisits by tier, complaint follow-ups, onboarding steps — in one transaction with set-based
 * SQL. Each scheduled task carries a `source_key` naming its occasion and a task id derived
 * from it; `tasks` is UNIQUE (customer_id, source_key), and every insert is ON CONFLICT DO
 * NOTHING, so running the scheduler again, after a restart, or twice at the same time never
 * creates a duplicate (PostgreSQL docs, INSERT "ON CONFLICT": a concurrent insert of the same
 * key waits for the first and then does nothing).
 */
import { randomUUID } from 'node:crypto';
import {
  holidayReminders,
  nextLunarBirthday,
  parseLunarMonthDay,
  type SchedulerSettings,
  validateSchedulerSettings,
} from '../engine/index.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import { scoresCte, stageCte } from './action-scores-sql.js';
import type { Db } from './db.js';
import { loadSetting } from './settings-repo.js';

export type TaskType =
  | 'holiday'
  | 'birthday'
  | 'revisit'
  | 'complaint-follow-up'
  | 'onboarding'
  | 'next-action'
  | 'campaign'
  | 'manual';

export interface Task {
  taskId: string;
  customerId: string;
  customerName: string | null;
  type: string;
  ownerId: string | null;
  dueAt: Date | null;
  status: 'open' | 'done' | 'cancelled';
  outcome: string | null;
  source: string | null;
  sourceKey: string | null;
  title: { zh?: string; en?: string };
  details: Record<string, unknown>;
  createdAt: Date;
  completedAt: Date | null;
}

export interface SchedulerRun {
  today: string;
  until: string;
  created: Record<
    'holiday' | 'birthday' | 'revisit' | 'complaint-follow-up' | 'onboarding',
    number
  >;
  total: number;
}

const DAY_MS = 86_400_000;
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
const addDays = (iso: string, n: number): string =>
  isoDay(new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY_MS));

/** The scheduler's settings as stored in `settings` under 'actions.scheduler' (defaults where absent). */
export function schedulerSettings(db: Db): Promise<SchedulerSettings> {
  return loadSetting(db, 'actions.scheduler', (v) =>
    validateSchedulerSettings(v, 'settings.actions.scheduler'),
  );
}

/** Stores validated settings of the acting side as 'actions.<key>' ('scheduler' or 'nba'). */
export async function saveActionSettings(db: Db, key: string, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [`actions.${key}`, JSON.stringify(value)],
  );
}

// task id of a scheduled task: a hash of customer and occasion, so it is the same on every run
const TASK_ID = `'S' || substr(md5(x.customer_id || '|' || x.source_key), 1, 15)`;
const INSERT = `INSERT INTO tasks (customer_id, task_id, type, owner_id, due_at, status, source,
    source_key, title, details)
  SELECT x.customer_id, ${TASK_ID}, x.type, x.owner_id, (x.due::timestamp AT TIME ZONE 'UTC'),
    'open', 'scheduler', x.source_key, x.title, x.details`;

/**
 * A customer's lunar birthday (农历生日) as imported: the attribute `lunarBirthday`, or a column
 * headed 农历生日 kept as an attribute. Such a customer is greeted on the lunar date instead.
 */
const LUNAR_BIRTHDAY_SQL = `nullif(trim(coalesce(c.attributes->>'lunarBirthday', c.attributes->>'农历生日')), '')`;

/**
 * Birthday greetings for customers with a lunar birthday: the next solar date of that lunar
 * month and day (engine `nextLunarBirthday`), `leadDays` before, keyed by its year so a rerun
 * creates none twice. Values that do not read as a lunar date are skipped (no task).
 */
async function lunarBirthdays(
  tx: Db,
  today: string,
  until: string,
  settings: SchedulerSettings,
): Promise<number> {
  const { rows } = await tx.query<{ customer_id: string; owner_id: string | null; lunar: string }>(
    `SELECT c.customer_id, c.owner_id, ${LUNAR_BIRTHDAY_SQL} AS lunar FROM customers c
     WHERE c.erased_at IS NULL AND ${LUNAR_BIRTHDAY_SQL} IS NOT NULL`,
  );
  const due: { id: string; owner: string | null; date: string; due: string; lunar: string }[] = [];
  for (const r of rows) {
    const lunar = parseLunarMonthDay(r.lunar);
    const date = lunar && nextLunarBirthday(lunar, today);
    if (!date) continue;
    const at = addDays(date, -settings.birthdays.leadDays);
    const dueDay = at < today ? today : at;
    if (dueDay <= until)
      due.push({ id: r.customer_id, owner: r.owner_id, date, due: dueDay, lunar: r.lunar });
  }
  if (due.length === 0) return 0;
  const r = await tx.query(
    `${INSERT}
     FROM (SELECT u.customer_id, u.owner_id, 'birthday' AS type, u.due::date AS due,
             'birthday:' || left(u.occurs, 4) AS source_key,
             jsonb_build_object('zh', '农历生日祝福', 'en', 'Birthday greeting (lunar calendar)') AS title,
             jsonb_build_object('birthday', u.occurs, 'lunar', u.lunar) AS details
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
             AS u(customer_id, owner_id, occurs, due, lunar)) x
     ON CONFLICT DO NOTHING`,
    [
      due.map((d) => d.id),
      due.map((d) => d.owner),
      due.map((d) => d.date),
      due.map((d) => d.due),
      due.map((d) => d.lunar),
    ],
  );
  return r.rowCount;
}

/**
 * Creates every reminder due from `now`'s UTC day to `horizonDays` later that does not exist
 * yet, in one transaction; returns how many of each kind were created.
 */
export async function runScheduler(
  db: Db,
  now: Date,
  options: { settings?: SchedulerSettings } = {},
): Promise<SchedulerRun> {
  return db.transaction(async (tx) => {
    // Concurrent runs take turns (PostgreSQL docs, "Advisory Locks"); the unique source_key
    // would already keep them from duplicating, this keeps them from waiting on each other's rows.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('tenure.scheduler'))");
    const settings = options.settings ?? (await schedulerSettings(tx));
    const today = isoDay(now);
    const until = addDays(today, settings.horizonDays);
    const created = {
      holiday: 0,
      birthday: 0,
      revisit: 0,
      'complaint-follow-up': 0,
      onboarding: 0,
    };

    const holidays = holidayReminders(today, settings);
    if (holidays.length > 0 && settings.holidays.tiers.length > 0) {
      const r = await tx.query(
        `WITH ${scoresCte('$1')},
         h AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
               AS h(source_key, zh, en, holiday, due))
         ${INSERT}
         FROM (SELECT c.customer_id, c.owner_id, 'holiday' AS type, h.due::date AS due, h.source_key,
                 jsonb_build_object('zh', h.zh || '节日问候', 'en', h.en || ' greeting') AS title,
                 jsonb_build_object('holiday', h.holiday, 'tier', s.tier) AS details
               FROM customers c JOIN scores s ON s.customer_id = c.customer_id CROSS JOIN h
               WHERE c.erased_at IS NULL AND s.tier = ANY($7::text[])) x
         ON CONFLICT DO NOTHING`,
        [
          today,
          holidays.map((h) => h.sourceKey),
          holidays.map((h) => h.zh),
          holidays.map((h) => h.en),
          holidays.map((h) => h.date),
          holidays.map((h) => h.due),
          settings.holidays.tiers,
        ],
      );
      created.holiday = r.rowCount;
    }

    if (settings.birthdays.enabled) {
      const r = await tx.query(
        `WITH p AS (SELECT $1::date AS today, $2::date AS last, $3::int AS lead),
         b AS (
           SELECT c.customer_id, c.owner_id, y.yr,
             make_date(y.yr, extract(month FROM c.birthday)::int,
               CASE WHEN extract(month FROM c.birthday) = 2 AND extract(day FROM c.birthday) = 29
                     AND NOT ((y.yr % 4 = 0 AND y.yr % 100 <> 0) OR y.yr % 400 = 0) THEN 28
                    ELSE extract(day FROM c.birthday)::int END) AS occurs
           FROM customers c CROSS JOIN p
           CROSS JOIN LATERAL (VALUES (extract(year FROM p.today)::int),
                                      (extract(year FROM p.today)::int + 1)) AS y(yr)
           WHERE c.birthday IS NOT NULL AND c.erased_at IS NULL
             AND ${LUNAR_BIRTHDAY_SQL} IS NULL)
         ${INSERT}
         FROM (SELECT b.customer_id, b.owner_id, 'birthday' AS type,
                 GREATEST(b.occurs - p.lead, p.today) AS due, 'birthday:' || b.yr AS source_key,
                 jsonb_build_object('zh', '生日祝福', 'en', 'Birthday greeting') AS title,
                 jsonb_build_object('birthday', b.occurs) AS details
               FROM b CROSS JOIN p
               WHERE b.occurs >= p.today AND GREATEST(b.occurs - p.lead, p.today) <= p.last) x
         ON CONFLICT DO NOTHING`,
        [today, until, settings.birthdays.leadDays],
      );
      created.birthday = r.rowCount + (await lunarBirthdays(tx, today, until, settings));
    }

    const cadence = Object.entries(settings.revisitDays).filter(([, d]) => d !== null) as [
      string,
      number,
    ][];
    if (cadence.length > 0) {
      const r = await tx.query(
        `WITH ${scoresCte('$1')},
         cad AS (SELECT * FROM unnest($3::text[], $4::int[]) AS cad(tier, days)),
         touch AS (
           SELECT c.customer_id, c.owner_id, s.tier, cad.days,
             (GREATEST(
               (SELECT max(i.occurred_at) FROM interactions i
                WHERE i.customer_id = c.customer_id AND i.direction = 'outbound'
                  AND i.occurred_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'),
               (SELECT max(t.completed_at) FROM tasks t
                WHERE t.customer_id = c.customer_id AND t.status = 'done')) AT TIME ZONE 'UTC')::date
               AS last_touch
           FROM customers c JOIN scores s ON s.customer_id = c.customer_id
           JOIN cad ON cad.tier = s.tier
           WHERE c.erased_at IS NULL)
         ${INSERT}
         FROM (SELECT t.customer_id, t.owner_id, 'revisit' AS type,
                 GREATEST(COALESCE(t.last_touch + t.days, $1::date), $1::date) AS due,
                 'revisit:' || COALESCE(to_char(t.last_touch, 'YYYY-MM-DD'), 'never') AS source_key,
                 jsonb_build_object('zh', '按等级定期回访', 'en', 'Scheduled visit for the tier') AS title,
                 jsonb_build_object('tier', t.tier, 'cadenceDays', t.days, 'lastTouch', t.last_touch)
                   AS details
               FROM touch t
               WHERE COALESCE(t.last_touch + t.days, $1::date) <= $2::date
                 AND NOT EXISTS (SELECT 1 FROM tasks o WHERE o.customer_id = t.customer_id
                                 AND o.type = 'revisit' AND o.status = 'open')) x
         ON CONFLICT DO NOTHING`,
        [today, until, cadence.map(([t]) => t), cadence.map(([, d]) => d)],
      );
      created.revisit = r.rowCount;
    }

    if (settings.complaintFollowUpDays !== null) {
      const r = await tx.query(
        `${INSERT}
         FROM (SELECT i.customer_id, c.owner_id, 'complaint-follow-up' AS type,
                 GREATEST((i.occurred_at AT TIME ZONE 'UTC')::date + $3::int, $1::date) AS due,
                 'complaint:' || i.interaction_id AS source_key,
                 jsonb_build_object('zh', '投诉后回访', 'en', 'Follow up the complaint') AS title,
                 jsonb_build_object('complaintAt', i.occurred_at, 'note', i.note) AS details
               FROM interactions i JOIN customers c ON c.customer_id = i.customer_id
               WHERE i.type = 'complaint' AND c.erased_at IS NULL
                 AND i.occurred_at >= ($1::date - $4::int)::timestamp AT TIME ZONE 'UTC'
                 AND i.occurred_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'
                 AND GREATEST((i.occurred_at AT TIME ZONE 'UTC')::date + $3::int, $1::date) <= $2::date
                 AND NOT EXISTS (SELECT 1 FROM interactions o WHERE o.customer_id = i.customer_id
                                 AND o.direction = 'outbound' AND o.occurred_at > i.occurred_at
                                 AND o.type <> 'complaint')) x
         ON CONFLICT DO NOTHING`,
        [today, until, settings.complaintFollowUpDays, settings.complaintLookbackDays],
      );
      created['complaint-follow-up'] = r.rowCount;
    }

    if (settings.onboarding.length > 0) {
      const steps = settings.onboarding;
      const r = await tx.query(
        `WITH ${stageCte("($1::date + 1)::timestamp AT TIME ZONE 'UTC'")},
         first AS (SELECT customer_id, min(occurred_at) AS first_at FROM transactions
                   WHERE status = 'completed' GROUP BY customer_id),
         steps AS (SELECT * FROM unnest($3::text[], $4::int[], $5::text[], $6::text[])
                   AS s(key, days, zh, en))
         ${INSERT}
         FROM (SELECT c.customer_id, c.owner_id, 'onboarding' AS type,
                 (f.first_at AT TIME ZONE 'UTC')::date + s.days AS due,
                 'onboarding:' || s.key AS source_key,
                 jsonb_build_object('zh', s.zh, 'en', s.en) AS title,
                 jsonb_build_object('step', s.key, 'firstOrderAt', f.first_at) AS details
               FROM stage st JOIN first f ON f.customer_id = st.customer_id
               JOIN customers c ON c.customer_id = st.customer_id CROSS JOIN steps s
               WHERE st.stage = 'exploration' AND c.erased_at IS NULL
                 AND (f.first_at AT TIME ZONE 'UTC')::date + s.days BETWEEN $1::date - 7 AND $2::date) x
         ON CONFLICT DO NOTHING`,
        [
          today,
          until,
          steps.map((s) => s.key),
          steps.map((s) => s.days),
          steps.map((s) => s.title.zh),
          steps.map((s) => s.title.en),
        ],
      );
      created.onboarding = r.rowCount;
    }

    return {
      today,
      until,
      created,
      total: Object.values(created).reduce((s, n) => s + n, 0),
    };
  });
}

interface TaskRow {
  task_id: string;
  customer_id: string;
  name: string | null;
  type: string;
  owner_id: string | null;
  due_at: Date | null;
  status: 'open' | 'done' | 'cancelled';
  outcome: string | null;
  source: string | null;
  source_key: string | null;
  title: { zh?: string; en?: string };
  details: Record<string, unknown>;
  created_at: Date;
  completed_at: Date | null;
}

const toTask = (r: TaskRow): Task => ({
  taskId: r.task_id,
  customerId: r.customer_id,
  customerName: r.name,
  type: r.type,
  ownerId: r.owner_id,
  dueAt: r.due_at,
  status: r.status,
  outcome: r.outcome,
  source: r.source,
  sourceKey: r.source_key,
  title: r.title,
  details: r.details,
  createdAt: r.created_at,
  completedAt: r.completed_at,
});

const TASK_COLUMNS = `t.task_id, t.customer_id, c.name, t.type, t.owner_id, t.due_at, t.status,
  t.outcome, t.source, t.source_key, t.title, t.details, t.created_at, t.completed_at`;

/** Open tasks due before the end of `until`'s UTC day (overdue included), soonest first. */
export async function dueTasks(
  db: Db,
  { until, ownerId, customerId }: { until: Date; ownerId?: string; customerId?: string },
): Promise<Task[]> {
  const { rows } = await db.query<TaskRow>(
    `SELECT ${TASK_COLUMNS}
     FROM tasks t JOIN customers c ON c.customer_id = t.customer_id
     WHERE t.status = 'open' AND (t.due_at IS NULL OR t.due_at < ($1::date + 1)::timestamp AT TIME ZONE 'UTC')
       AND ($2::text IS NULL OR t.owner_id = $2) AND ($3::text IS NULL OR t.customer_id = $3)
     ORDER BY t.due_at NULLS FIRST, t.customer_id, t.task_id`,
    [isoDay(until), ownerId ?? null, customerId ?? null],
  );
  return rows.map(toTask);
}

/** Every task of one customer, newest first (the 360 view's task list). */
export async function customerTasks(db: Db, customerId: string): Promise<Task[]> {
  const { rows } = await db.query<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM tasks t JOIN customers c ON c.customer_id = t.customer_id
     WHERE t.customer_id = $1 ORDER BY t.due_at DESC NULLS LAST, t.task_id`,
    [customerId],
  );
  return rows.map(toTask);
}

/**
 * Marks an open task done (or cancelled) with its outcome. Unknown id: NotFoundError; a task
 * already closed: ConflictError (nothing changes).
 */
export async function completeTask(
  db: Db,
  taskId: string,
  { outcome, at, status = 'done' }: { outcome: string; at: Date; status?: 'done' | 'cancelled' },
): Promise<Task> {
  if (outcome.trim() === '') {
    throw new InputError('outcome: say what happened (it is kept with the task)', {
      field: 'outcome',
    });
  }
  return db.transaction(async (tx) => {
    const found = await tx.query<{ customer_id: string; status: string }>(
      'SELECT customer_id, status FROM tasks WHERE task_id = $1 FOR UPDATE',
      [taskId],
    );
    if (found.rows.length === 0) {
      throw new NotFoundError(`task "${taskId}" does not exist`, { field: 'task', value: taskId });
    }
    if (found.rows.length > 1) {
      throw new ConflictError(`task id "${taskId}" is used by several customers`, {
        value: taskId,
      });
    }
    if (found.rows[0].status !== 'open') {
      throw new ConflictError(`task "${taskId}" is already ${found.rows[0].status}`, {
        field: 'task',
        value: taskId,
      });
    }
    await tx.query(
      `UPDATE tasks SET status = $2, outcome = $3, completed_at = $4
       WHERE task_id = $1 AND customer_id = $5`,
      [taskId, status, outcome, at, found.rows[0].customer_id],
    );
    await tx.query(
      `INSERT INTO audit_log (actor, action, customer_id, details, origin)
       VALUES ('cli', 'task.' || $1, $2, $3, 'tasks')`,
      [status, found.rows[0].customer_id, JSON.stringify({ taskId, outcome })],
    );
    const { rows } = await tx.query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM tasks t JOIN customers c ON c.customer_id = t.customer_id
       WHERE t.task_id = $1`,
      [taskId],
    );
    return toTask(rows[0]);
  });
}

/** A task made by a person (or by the server for an alert); owner defaults to the customer's. */
export async function createTask(
  db: Db,
  input: {
    customerId: string;
    type: TaskType;
    due: Date;
    title: { zh?: string; en?: string };
    ownerId?: string;
    source?: string;
    sourceKey?: string;
    details?: Record<string, unknown>;
  },
): Promise<Task> {
  return db.transaction(async (tx) => {
    const c = await tx.query<{ owner_id: string | null }>(
      'SELECT owner_id FROM customers WHERE customer_id = $1',
      [input.customerId],
    );
    if (c.rows.length === 0) {
      throw new NotFoundError(`customer "${input.customerId}" does not exist`, {
        field: 'customer',
        value: input.customerId,
      });
    }
    const taskId = `M${randomUUID().replaceAll('-', '').slice(0, 15)}`;
    const r = await tx.query(
      `INSERT INTO tasks (customer_id, task_id, type, owner_id, due_at, source, source_key, title, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        input.customerId,
        taskId,
        input.type,
        input.ownerId ?? c.rows[0].owner_id,
        input.due,
        input.source ?? 'manual',
        input.sourceKey ?? null,
        JSON.stringify(input.title),
        JSON.stringify(input.details ?? {}),
      ],
    );
    if (r.rowCount === 0) {
      throw new ConflictError(
        `customer ${input.customerId} already has a task for ${input.sourceKey}`,
        { field: 'sourceKey', value: input.sourceKey },
      );
    }
    const { rows } = await tx.query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM tasks t JOIN customers c ON c.customer_id = t.customer_id
       WHERE t.customer_id = $1 AND t.task_id = $2`,
      [input.customerId, taskId],
    );
    return toTask(rows[0]);
  });
}
