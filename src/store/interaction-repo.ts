/** Logging one interaction through the API (issue 7 §4), checked against the caller's scope. */
import { createHash } from 'node:crypto';
import { ConflictError } from '../errors.js';
import type { Actor } from './access.js';
import { audit } from './audit-repo.js';
import { assertCustomerVisible } from './customer-repo.js';
import type { Db } from './db.js';
import { queueRefresh } from './event-repo.js';

export interface NewInteraction {
  interactionId: string | null;
  occurredAt: Date;
  type: string;
  direction: string | null;
  outcome: string | null;
  satisfaction: number | null;
  note: string | null;
}

export async function logInteraction(
  db: Db,
  actor: Actor,
  customerId: string,
  i: NewInteraction,
): Promise<{ interactionId: string; customerId: string; occurredAt: Date }> {
  return db.transaction(async (tx) => {
    await assertCustomerVisible(tx, actor, customerId);
    const id =
      i.interactionId ??
      `int_${createHash('sha256')
        .update(
          JSON.stringify([customerId, i.occurredAt.toISOString(), i.type, i.note, actor.userId]),
        )
        .digest('hex')
        .slice(0, 24)}`;
    const res = await tx.query(
      `INSERT INTO interactions (customer_id, interaction_id, occurred_at, type, direction, outcome,
                                 satisfaction, staff, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        customerId,
        id,
        i.occurredAt,
        i.type,
        i.direction,
        i.outcome,
        i.satisfaction,
        actor.staffId ?? actor.username,
        i.note,
      ],
    );
    if (res.rowCount === 0) {
      throw new ConflictError(`interaction "${id}" already exists for this customer`, {
        field: 'interactionId',
        value: id,
      });
    }
    await audit(tx, actor, 'interaction.create', customerId, { interactionId: id, type: i.type });
    await queueRefresh(tx, [customerId]);
    return { interactionId: id, customerId, occurredAt: i.occurredAt };
  });
}
