/**
 * Users, their sessions and API tokens (issue 7 §2). Secrets never reach the database in the
 * clear: sessions and tokens are stored as SHA-256 hashes of the random values handed out,
 * passwords as scrypt hashes made by the caller.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { Actor, Role } from './access.js';
import type { Db } from './db.js';

export interface User {
  userId: string;
  username: string;
  displayName: string | null;
  role: Role;
  staffId: string | null;
  disabled: boolean;
  createdAt: Date;
}

interface UserRow {
  user_id: string;
  username: string;
  display_name: string | null;
  role: Role;
  staff_id: string | null;
  password_hash: string;
  disabled_at: Date | null;
  created_at: Date;
}

const USER_COLUMNS =
  'user_id, username, display_name, role, staff_id, password_hash, disabled_at, created_at';

function toUser(r: UserRow): User {
  return {
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    staffId: r.staff_id,
    disabled: r.disabled_at !== null,
    createdAt: r.created_at,
  };
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

export interface NewUser {
  username: string;
  displayName?: string | null;
  role: Role;
  staffId?: string | null;
  passwordHash: string;
}

export async function createUser(db: Db, u: NewUser): Promise<User> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (user_id, username, display_name, role, staff_id, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING
     RETURNING ${USER_COLUMNS}`,
    [newId('usr'), u.username, u.displayName ?? null, u.role, u.staffId ?? null, u.passwordHash],
  );
  if (rows.length === 0) {
    throw new ConflictError(`a user named "${u.username}" already exists`, {
      field: 'username',
      value: u.username,
    });
  }
  return toUser(rows[0]);
}

/** Creates the user, or replaces the password and role of an existing one (the demo's users). */
export async function upsertUser(db: Db, u: NewUser): Promise<User> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (user_id, username, display_name, role, staff_id, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, staff_id = EXCLUDED.staff_id,
       display_name = EXCLUDED.display_name, password_hash = EXCLUDED.password_hash, disabled_at = NULL
     RETURNING ${USER_COLUMNS}`,
    [newId('usr'), u.username, u.displayName ?? null, u.role, u.staffId ?? null, u.passwordHash],
  );
  forgetCredentials();
  return toUser(rows[0]);
}

export async function listUsers(db: Db): Promise<User[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`);
  return rows.map(toUser);
}

/** The user and their password hash, for signing in; null when unknown or disabled. */
export async function findUserForLogin(
  db: Db,
  username: string,
): Promise<{ user: User; passwordHash: string } | null> {
  const { rows } = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE username = $1 AND disabled_at IS NULL`,
    [username],
  );
  return rows[0] ? { user: toUser(rows[0]), passwordHash: rows[0].password_hash } : null;
}

export async function setUserDisabled(db: Db, userId: string, disabled: boolean): Promise<User> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE user_id = $1
     RETURNING ${USER_COLUMNS}`,
    [userId, disabled],
  );
  forgetCredentials();
  if (!rows[0]) throw new NotFoundError(`no user "${userId}"`, { value: userId });
  if (disabled) await db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  return toUser(rows[0]);
}

export function actorOf(user: User, origin: string | null): Actor {
  return {
    userId: user.userId,
    username: user.username,
    role: user.role,
    staffId: user.staffId,
    origin,
  };
}

// ---- sessions ----

export interface Session {
  /** the secret for the cookie; only its hash is stored */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(
  db: Db,
  userId: string,
  ttlMs: number,
  origin: string | null,
): Promise<Session> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.query(
    `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, origin)
     VALUES ($1, $2, $3, $4, $5)`,
    [sha256(token), userId, csrfToken, expiresAt, origin],
  );
  // Expired sessions are swept as new ones are made.
  await db.query('DELETE FROM sessions WHERE expires_at < now()');
  return { token, csrfToken, expiresAt };
}

/** The signed-in user of a session cookie, with the session's CSRF token; null when expired or unknown. */
export async function userOfSession(
  db: Db,
  token: string,
): Promise<{ user: User; csrfToken: string; expiresAt: Date } | null> {
  const { rows } = await db.query<UserRow & { csrf_token: string; expires_at: Date }>(
    `SELECT ${USER_COLUMNS.split(', ')
      .map((c) => `u.${c}`)
      .join(', ')}, s.csrf_token, s.expires_at
     FROM sessions s JOIN users u USING (user_id)
     WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [sha256(token)],
    { prepare: 'tenure_user_of_session' },
  );
  return rows[0]
    ? { user: toUser(rows[0]), csrfToken: rows[0].csrf_token, expiresAt: rows[0].expires_at }
    : null;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  forgetCredentials();
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [sha256(token)]);
  forgetCredentials();
}

// ---- API tokens ----

export interface ApiToken {
  tokenId: string;
  userId: string;
  name: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface TokenRow {
  token_id: string;
  user_id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function toToken(r: TokenRow): ApiToken {
  return {
    tokenId: r.token_id,
    userId: r.user_id,
    name: r.name,
    scopes: r.scopes,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/** Makes a token for `userId`; the secret is returned once and only its hash is kept. */
export async function createApiToken(
  db: Db,
  userId: string,
  name: string,
  scopes: readonly string[],
): Promise<{ token: ApiToken; secret: string }> {
  if (scopes.length === 0)
    throw new InputError('a token needs at least one scope', { field: 'scopes' });
  const tokenId = newId('tok');
  const secret = `tnr_${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO api_tokens (token_id, user_id, name, token_hash, scopes)
     VALUES ($1, $2, $3, $4, $5)
     RETURNING token_id, user_id, name, scopes, created_at, last_used_at, revoked_at`,
    [tokenId, userId, name, sha256(secret), scopes],
  );
  return { token: toToken(rows[0]), secret };
}

export async function listApiTokens(db: Db, userId: string | null): Promise<ApiToken[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT token_id, user_id, name, scopes, created_at, last_used_at, revoked_at
     FROM api_tokens WHERE ($1::text IS NULL OR user_id = $1) ORDER BY created_at`,
    [userId],
  );
  return rows.map(toToken);
}

/** Revokes a token; `ownerId` limits it to that user's tokens (null: any, for an admin). */
export async function revokeApiToken(
  db: Db,
  tokenId: string,
  ownerId: string | null,
): Promise<ApiToken> {
  const { rows } = await db.query<TokenRow>(
    `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
     WHERE token_id = $1 AND ($2::text IS NULL OR user_id = $2)
     RETURNING token_id, user_id, name, scopes, created_at, last_used_at, revoked_at`,
    [tokenId, ownerId],
  );
  forgetCredentials();
  if (!rows[0]) throw new NotFoundError(`no API token "${tokenId}"`, { value: tokenId });
  return toToken(rows[0]);
}

/** The user and scopes of a bearer token; null when unknown, revoked or the user is disabled. */
export async function userOfApiToken(
  db: Db,
  secret: string,
): Promise<{ user: User; scopes: string[] } | null> {
  const { rows } = await db.query<UserRow & { scopes: string[]; token_id: string; stale: boolean }>(
    `SELECT ${USER_COLUMNS.split(', ')
      .map((c) => `u.${c}`)
      .join(', ')}, t.scopes, t.token_id,
            (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale
     FROM api_tokens t JOIN users u USING (user_id)
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL`,
    [sha256(secret)],
    { prepare: 'tenure_user_of_api_token' },
  );
  const r = rows[0];
  if (!r) return null;
  // Last use to the minute: a busy integration does not write its token row on every request.
  if (r.stale) {
    await db.query('UPDATE api_tokens SET last_used_at = now() WHERE token_id = $1', [r.token_id]);
  }
  return { user: toUser(r), scopes: r.scopes };
}

// ---- the credentials cache ----
//
// A busy integration sends its bearer token with every request; the web app its session cookie.
// Looking each up in the database costs a round trip per request, so a positive answer is kept
// in memory for CREDENTIALS_TTL_MS. What this process changes takes effect at once: revoking a
// token, signing out, disabling a user or changing a user's role or password empties the cache
// (before and after the write, and a lookup that raced with it is not kept). Changes made by
// another process (the CLI, SQL by hand) take effect within CREDENTIALS_TTL_MS. A session past
// its expiry is refused from the cache too. Unknown credentials are never cached.

export const CREDENTIALS_TTL_MS = 2_000;
const MAX_CACHED = 10_000;

type TokenAnswer = { user: User; scopes: string[] };
type SessionAnswer = { user: User; csrfToken: string; expiresAt: Date };
interface Cached<T> {
  at: number;
  generation: number;
  value: T;
}

let generation = 0;
const tokenCache = new WeakMap<Db, Map<string, Cached<TokenAnswer>>>();
const sessionCache = new WeakMap<Db, Map<string, Cached<SessionAnswer>>>();

/** Empties the credentials cache of every database (after revocations, sign-outs, role changes). */
export function forgetCredentials(): void {
  generation++;
}

async function cached<T>(
  caches: WeakMap<Db, Map<string, Cached<T>>>,
  db: Db,
  key: string,
  load: () => Promise<T | null>,
  valid: (value: T, now: number) => boolean = () => true,
): Promise<T | null> {
  let map = caches.get(db);
  if (!map) {
    map = new Map();
    caches.set(db, map);
  }
  const now = Date.now();
  const hit = map.get(key);
  if (hit && hit.generation === generation && now - hit.at < CREDENTIALS_TTL_MS) {
    if (valid(hit.value, now)) return hit.value;
  }
  if (hit) map.delete(key);
  const gen = generation;
  const value = await load();
  if (value !== null && gen === generation) {
    if (map.size >= MAX_CACHED) map.clear();
    map.set(key, { at: now, generation: gen, value });
  }
  return value;
}

/** `userOfApiToken` through the credentials cache. */
export function cachedUserOfApiToken(db: Db, secret: string): Promise<TokenAnswer | null> {
  return cached(tokenCache, db, sha256(secret), () => userOfApiToken(db, secret));
}

/** `userOfSession` through the credentials cache; an expired session is refused. */
export function cachedUserOfSession(db: Db, token: string): Promise<SessionAnswer | null> {
  return cached(
    sessionCache,
    db,
    sha256(token),
    () => userOfSession(db, token),
    (s, now) => s.expiresAt.getTime() > now,
  );
}
