/**
 * The audit log (issue 7 §3): who read a customer's personal data or changed anything, when,
 * what, and from where. Rows are appended inside the transaction of the change they record.
 */
import type { Actor } from './access.js';
import type { Db } from './db.js';

export interface AuditEntry {
  auditId: number;
  at: Date;
  actor: string;
  action: string;
  customerId: string | null;
  details: Record<string, unknown>;
  origin: string | null;
}

export async function audit(
  db: Db,
  actor: Actor,
  action: string,
  customerId: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, action, customer_id, details, origin) VALUES ($1, $2, $3, $4, $5)`,
    [actor.username, action, customerId, JSON.stringify(details), actor.origin],
  );
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  customerId?: string;
  from?: Date;
  to?: Date;
  /** audit ids below this (newest first paging) */
  before?: number;
  limit: number;
}

/** Newest first, `limit` rows, keyset-paged by audit id. */
export async function listAudit(db: Db, q: AuditQuery): Promise<AuditEntry[]> {
  const { rows } = await db.query<AuditEntry>(
    `SELECT audit_id AS "auditId", at, actor, action, customer_id AS "customerId", details, origin
     FROM audit_log
     WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2)
       AND ($3::text IS NULL OR customer_id = $3) AND ($4::timestamptz IS NULL OR at >= $4)
       AND ($5::timestamptz IS NULL OR at < $5) AND ($6::bigint IS NULL OR audit_id < $6)
     ORDER BY audit_id DESC LIMIT $7`,
    [
      q.actor ?? null,
      q.action ?? null,
      q.customerId ?? null,
      q.from ?? null,
      q.to ?? null,
      q.before ?? null,
      q.limit,
    ],
  );
  return rows;
}
