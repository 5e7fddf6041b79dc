/**
 * Who is asking, and what that lets the store return (issue 7 §2). Every repository function
 * that reads or changes customers' data takes an `Actor`; the restriction is written into the
 * SQL (`owner_id = $n` for an agent) and the masking into the row mapping, so no handler can
 * forget it: an agent asking for another agent's customer gets "not found", never the record.
 */

export type Role = 'admin' | 'manager' | 'agent' | 'analyst';
export const ROLES: readonly Role[] = Object.freeze(['admin', 'manager', 'agent', 'analyst']);

export interface Actor {
  /** users.user_id, or 'system' for the CLI and background work */
  userId: string;
  username: string;
  role: Role;
  /** the staff code customers.owner_id names; an agent sees only customers with it */
  staffId: string | null;
  /** where the request came from (IP address), for the audit log */
  origin: string | null;
}

/** The CLI and background workers: everything, unmasked. */
export const SYSTEM_ACTOR: Actor = Object.freeze({
  userId: 'system',
  username: 'system',
  role: 'admin',
  staffId: null,
  origin: null,
});

export interface Scope {
  /** only customers owned by `ownerId` (null matches nothing) */
  ownOnly: boolean;
  ownerId: string | null;
  /** personal data masked (analyst) */
  mask: boolean;
}

export function scopeOf(actor: Actor): Scope {
  return {
    ownOnly: actor.role === 'agent',
    ownerId: actor.staffId,
    mask: actor.role === 'analyst',
  };
}

/** 13812345678 → 138****5678; shorter numbers keep their first and last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

/** 张三丰 → 张**, Alice Smith → A**********: the first character only. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** wang.wei@example.com → w***@example.com */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return maskName(email);
  return `${email[0]}***${email.slice(at)}`;
}

/** Free text about a person (address, notes): hidden entirely from a masked reader. */
export function maskText(text: string | null): string | null {
  return text === null ? null : '***';
}
