/**
 * Authentication and authorisation at the edge (issue 7 §2). Who is calling: a session cookie
 * (`tenure_session`, HttpOnly, SameSite=Lax) for people in the web app, or `Authorization:
 * Bearer tnr_…` for integrations. What they may do: the role's capabilities, narrowed by a
 * token's scopes. Which rows they see is the store's business (src/store/access.ts).
 *
 * CSRF: a cookie is sent by the browser on any request to the site, so a change (POST, PUT,
 * PATCH, DELETE) made with the cookie must also carry the session's CSRF token in the
 * `X-CSRF-Token` header — a header another site's page cannot set (OWASP CSRF Prevention Cheat
 * Sheet, "Synchronizer token" and "Custom request headers"). Bearer tokens are never sent
 * automatically, so they need no CSRF token.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Actor, Role } from '../store/access.js';
import type { Db } from '../store/db.js';
import {
  clearSignInFailures,
  recentSignInFailures,
  recordSignInFailure,
} from '../store/sign-in-repo.js';
import {
  actorOf,
  cachedUserOfApiToken,
  cachedUserOfSession,
  type User,
} from '../store/user-repo.js';
import { ApiError } from './http-errors.js';

export const CAPABILITIES = [
  'customers:read',
  'customers:write',
  'customers:erase',
  'interactions:write',
  'transactions:read',
  'products:read',
  'products:write',
  'reports:read',
  'tasks:read',
  'tasks:write',
  'stage-models:read',
  'stage-models:write',
  'segments:read',
  'segments:write',
  'analysis:run',
  // importing files writes any customer's record in bulk: admin and manager only (an agent may
  // change only their own customers, so customers:write is not enough)
  'imports:write',
  'campaigns:read',
  'campaigns:write',
  'queue:read',
  'events:write',
  'webhooks:manage',
  'users:manage',
  'audit:read',
  'settings:write',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** What each role may do (issue 7 §2). Row-level limits (agent: own customers) are in the store. */
export const ROLE_CAPABILITIES: Readonly<Record<Role, readonly Capability[]>> = Object.freeze({
  admin: CAPABILITIES,
  manager: [
    'customers:read',
    'customers:write',
    'interactions:write',
    'transactions:read',
    'products:read',
    'products:write',
    'reports:read',
    'tasks:read',
    'tasks:write',
    'stage-models:read',
    'segments:read',
    'segments:write',
    'analysis:run',
    'imports:write',
    'campaigns:read',
    'campaigns:write',
    'queue:read',
  ],
  agent: [
    'customers:read',
    'customers:write',
    'interactions:write',
    'transactions:read',
    'products:read',
    'tasks:read',
    'tasks:write',
    'stage-models:read',
    'queue:read',
  ],
  analyst: [
    'customers:read',
    'transactions:read',
    'products:read',
    'reports:read',
    'stage-models:read',
    'segments:read',
    'segments:write',
    'analysis:run',
    'campaigns:read',
  ],
});

export const SESSION_COOKIE = 'tenure_session';
export const CSRF_COOKIE = 'tenure_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 12 * 3600_000;

export interface AuthInfo {
  user: User;
  actor: Actor;
  via: 'session' | 'token';
  capabilities: Set<Capability>;
  csrfToken: string | null;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function equalSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Who is calling, or a 401. Credentials are looked up through a short cache (see
 * CREDENTIALS_TTL_MS in src/store/user-repo.ts: changes through this server apply at once).
 */
export async function authenticate(db: Db, req: FastifyRequest): Promise<AuthInfo> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      throw new ApiError(
        401,
        'unauthenticated',
        'the Authorization header must be "Bearer <token>"',
      );
    }
    const found = await cachedUserOfApiToken(db, m[1]);
    if (!found) throw new ApiError(401, 'unauthenticated', 'the API token is unknown or revoked');
    const role = new Set(ROLE_CAPABILITIES[found.user.role]);
    return {
      user: found.user,
      actor: actorOf(found.user, req.ip),
      via: 'token',
      capabilities: new Set(found.scopes.filter((s): s is Capability => role.has(s as Capability))),
      csrfToken: null,
    };
  }
  const token = req.cookies?.[SESSION_COOKIE];
  if (!token) throw new ApiError(401, 'unauthenticated', 'sign in first (POST /api/auth/login)');
  const found = await cachedUserOfSession(db, token);
  if (!found) throw new ApiError(401, 'unauthenticated', 'the session has expired; sign in again');
  if (UNSAFE.has(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !equalSecret(sent, found.csrfToken)) {
      throw new ApiError(
        403,
        'csrf_failed',
        'a change made with the session cookie needs the X-CSRF-Token header (from the login response or GET /api/auth/me)',
      );
    }
  }
  return {
    user: found.user,
    actor: actorOf(found.user, req.ip),
    via: 'session',
    capabilities: new Set(ROLE_CAPABILITIES[found.user.role]),
    csrfToken: found.csrfToken,
  };
}

export function requireCapability(auth: AuthInfo, cap: Capability): void {
  if (!auth.capabilities.has(cap)) {
    throw new ApiError(
      403,
      'forbidden',
      auth.via === 'token'
        ? `this API token does not have the scope "${cap}"`
        : `the ${auth.user.role} role may not do this (needs "${cap}")`,
      { capability: cap },
    );
  }
}

// ---- passwords: scrypt (RFC 7914) through node:crypto ----

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const key = await scryptAsync(password, Buffer.from(parts[4], 'base64'), n, r, p);
  const want = Buffer.from(parts[5], 'base64');
  return key.length === want.length && timingSafeEqual(key, want);
}

/** Spent on unknown usernames so a sign-in takes as long whether or not the user exists. */
export const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEYLEN).toString('base64')}`;

/** A password for generated users: 16 characters from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Sign-in failures per client address, per address + username, and per username from any
 * address, in a sliding window (OWASP Authentication Cheat Sheet, "Login Throttling"; the last
 * limit stops a guess spread over many addresses against one account, high enough that one
 * attacker cannot lock a user out from one address). Counted in the database
 * (src/store/sign-in-repo.ts): every server process shares the counts, a restart keeps them.
 */
export class LoginLimiter {
  constructor(
    private readonly maxPerUser = 5,
    private readonly maxPerAddress = 20,
    private readonly windowMs = 15 * 60_000,
    private readonly maxPerAccount = 30,
  ) {}

  private keys(address: string, username: string): [string, number][] {
    return [
      [`a:${address}`, this.maxPerAddress],
      [`u:${address}:${username}`, this.maxPerUser],
      [`n:${username}`, this.maxPerAccount],
    ];
  }

  /** Throws 429 when the address, the address + username or the username failed too often. */
  async check(db: Db, address: string, username: string, now = new Date()): Promise<void> {
    const keys = this.keys(address, username);
    const counts = await recentSignInFailures(
      db,
      keys.map(([k]) => k),
      new Date(now.getTime() - this.windowMs),
    );
    for (const [i, c] of counts.entries()) {
      if (c.failures >= keys[i][1] && c.oldest) {
        const retry = Math.max(
          1,
          Math.ceil((c.oldest.getTime() + this.windowMs - now.getTime()) / 1000),
        );
        throw new ApiError(
          429,
          'rate_limited',
          `too many failed sign-ins; try again in ${retry} s`,
          { retryAfterSeconds: retry },
          { 'retry-after': String(retry) },
        );
      }
    }
  }

  fail(db: Db, address: string, username: string, now = new Date()): Promise<void> {
    return recordSignInFailure(
      db,
      this.keys(address, username).map(([k]) => k),
      now,
      new Date(now.getTime() - this.windowMs),
    );
  }

  succeed(db: Db, address: string, username: string): Promise<void> {
    return clearSignInFailures(db, `u:${address}:${username}`);
  }
}
