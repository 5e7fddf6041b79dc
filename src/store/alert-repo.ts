/**
 * Churn alerts through the API (issue 7 §4, issue 8 §7): the list by level and status with the
 * value at risk, and a person's assign / resolve. The caller's scope is written into the SQL (an
 * agent sees and changes only the alerts of their own customers; another's is "not found") and
 * the customer's name is masked for an analyst.
 */
import { ForbiddenError, NotFoundError } from '../errors.js';
import { type Actor, maskName, scopeOf } from './access.js';
import { audit } from './audit-repo.js';
import { decodeCursor, encodeCursor, type Page } from './customer-repo.js';
import type { Db } from './db.js';

export interface AlertItem {
  customerId: string;
  alertId: string;
  customerName: string | null;
  ownerId: string | null;
  level: string;
  raisedAt: Date;
  reasons: unknown[];
  status: string;
  resolvedAt: Date | null;
  churnRisk: number | null;
  /** churn risk × predicted CLV when the alert was raised, fen */
  valueAtRiskMinor: number | null;
  assignedTo: string | null;
  resolvedBy: string | null;
}

const COLUMNS = `a.customer_id AS "customerId", a.alert_id AS "alertId", c.name AS "customerName",
  c.owner_id AS "ownerId", a.level, a.raised_at AS "raisedAt", a.reasons, a.status,
  a.resolved_at AS "resolvedAt", a.churn_risk AS "churnRisk",
  a.value_at_risk_minor AS "valueAtRiskMinor", a.assigned_to AS "assignedTo",
  a.resolved_by AS "resolvedBy"`;

function masked(actor: Actor, a: AlertItem): AlertItem {
  if (!scopeOf(actor).mask || a.customerName === null) return a;
  return { ...a, customerName: maskName(a.customerName) };
}

/**
 * Alerts the caller may see, by value at risk (highest first), then customer and alert id;
 * `level` and `status` filter. Cursor paging over that order.
 */
export async function listAlerts(
  db: Db,
  actor: Actor,
  q: { level?: string; status?: string; limit: number; cursor?: string },
): Promise<Page<AlertItem>> {
  const s = scopeOf(actor);
  const k = q.cursor ? decodeCursor(q.cursor, 3) : [null, null, null];
  const { rows } = await db.query<AlertItem & { var_key: number }>(
    `SELECT ${COLUMNS}, coalesce(a.value_at_risk_minor, -1) AS var_key
     FROM alerts a JOIN customers c ON c.customer_id = a.customer_id AND c.erased_at IS NULL
     WHERE ($1::boolean = false OR c.owner_id = $2::text)
       AND ($3::text IS NULL OR a.level = $3) AND ($4::text IS NULL OR a.status = $4)
       AND ($5::bigint IS NULL
            OR (coalesce(a.value_at_risk_minor, -1), a.customer_id, a.alert_id) < ($5, $6::text, $7::text))
     ORDER BY coalesce(a.value_at_risk_minor, -1) DESC, a.customer_id DESC, a.alert_id DESC
     LIMIT $8`,
    [s.ownOnly, s.ownerId, q.level ?? null, q.status ?? null, k[0], k[1], k[2], q.limit + 1],
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ var_key: _v, ...a }) => masked(actor, a)),
    nextCursor:
      rows.length > q.limit ? encodeCursor([last.var_key, last.customerId, last.alertId]) : null,
  };
}

/**
 * Assigns an alert to a staff code and/or resolves it by hand, in one transaction with its audit
 * row. Assigning also hands the alert's open task to that person; resolving closes the task as
 * done. An alert the caller may not see is NotFoundError, as one that does not exist.
 */
export async function updateAlert(
  db: Db,
  actor: Actor,
  customerId: string,
  alertId: string,
  change: { assignedTo?: string | null; status?: 'resolved'; note?: string | null },
): Promise<AlertItem> {
  const s = scopeOf(actor);
  if (s.ownOnly && change.assignedTo !== undefined) {
    throw new ForbiddenError('an agent may resolve their customers’ alerts but not reassign them', {
      field: 'assignedTo',
    });
  }
  return db.transaction(async (tx) => {
    const found = await tx.query<{ status: string }>(
      `SELECT a.status FROM alerts a
       JOIN customers c ON c.customer_id = a.customer_id AND c.erased_at IS NULL
       WHERE a.customer_id = $1 AND a.alert_id = $2 AND ($3::boolean = false OR c.owner_id = $4::text)
       FOR UPDATE OF a`,
      [customerId, alertId, s.ownOnly, s.ownerId],
    );
    if (found.rows.length === 0) {
      throw new NotFoundError(`alert "${alertId}" of customer "${customerId}" does not exist`, {
        field: 'alertId',
        value: alertId,
      });
    }
    if (change.assignedTo !== undefined) {
      await tx.query(
        'UPDATE alerts SET assigned_to = $3 WHERE customer_id = $1 AND alert_id = $2',
        [customerId, alertId, change.assignedTo],
      );
      if (change.assignedTo !== null) {
        await tx.query(
          `UPDATE tasks SET owner_id = $3 WHERE customer_id = $1 AND source = 'alert'
             AND source_key = $2 AND status = 'open'`,
          [customerId, alertId, change.assignedTo],
        );
      }
    }
    if (change.status === 'resolved' && found.rows[0].status === 'open') {
      await tx.query(
        `UPDATE alerts SET status = 'resolved', resolved_at = now(), resolved_by = $3
         WHERE customer_id = $1 AND alert_id = $2`,
        [customerId, alertId, actor.username],
      );
      await tx.query(
        `UPDATE tasks SET status = 'done', outcome = $3, completed_at = now()
         WHERE customer_id = $1 AND source = 'alert' AND source_key = $2 AND status = 'open'`,
        [customerId, alertId, change.note ?? 'alert resolved'],
      );
    }
    await audit(tx, actor, 'alert.update', customerId, { alertId, ...change });
    const { rows } = await tx.query<AlertItem>(
      `SELECT ${COLUMNS} FROM alerts a JOIN customers c ON c.customer_id = a.customer_id
       WHERE a.customer_id = $1 AND a.alert_id = $2`,
      [customerId, alertId],
    );
    return masked(actor, rows[0]);
  });
}
