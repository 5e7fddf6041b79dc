/**
 * Starting the API over real HTTP (127.0.0.1:0) on a fresh database of each backend, with one
 * signed-in user per role, and calling it the way a browser or an integration would.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.js';
import { buildServer, type TenureServer } from '../src/server/app.js';
import { hashPassword, LoginLimiter } from '../src/server/auth.js';
import type { Role } from '../src/store/access.js';
import type { Db } from '../src/store/db.js';
import { createUser } from '../src/store/user-repo.js';
import type { Backend } from './backends.js';

export const PASSWORD = 'correct horse battery';

export interface Session {
  cookie: string;
  csrf: string;
}

export interface Harness {
  db: Db;
  app: TenureServer;
  base: string;
  sessions: Record<Role, Session>;
  call(
    method: string,
    path: string,
    opts?: {
      as?: Role | null;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      token?: string;
      noCsrf?: boolean;
    },
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON checked by the tests' assertions
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startHarness(
  backend: Backend,
  options: {
    now?: () => Date;
    worker?: false | { baseDelayMs?: number; pollMs?: number };
    prepare?: (db: Db) => Promise<void>;
    /** the reminder scheduler: off unless asked for (it would add tasks the tests count) */
    scheduler?: false | { intervalMs: number };
  } = {},
): Promise<Harness> {
  const fresh = await backend.fresh();
  const db = fresh.db;
  await options.prepare?.(db);
  const staff: Record<Role, string | null> = {
    admin: null,
    manager: null,
    agent: 'S1',
    analyst: null,
  };
  const hash = await hashPassword(PASSWORD);
  for (const role of Object.keys(staff) as Role[]) {
    await createUser(db, { username: role, role, staffId: staff[role], passwordHash: hash });
  }
  const app = await buildServer({
    db,
    config: loadConfig({}),
    logger: false,
    now: options.now,
    worker: options.worker ?? { pollMs: 50 },
    loginLimiter: new LoginLimiter(5, 1000),
    scheduler: options.scheduler ?? false,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const call: Harness['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.as) {
      const s = sessions[opts.as];
      headers.cookie = s.cookie;
      if (!opts.noCsrf) headers['x-csrf-token'] = s.csrf;
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !headers['content-type'])
      headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const sessions = {} as Record<Role, Session>;
  for (const role of Object.keys(staff) as Role[]) {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: role, password: PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`login ${role}: ${res.status} ${await res.text()}`);
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    const json = (await res.json()) as { csrfToken: string };
    sessions[role] = { cookie: cookies.join('; '), csrf: json.csrfToken };
  }
  return {
    db,
    app,
    base,
    sessions,
    call,
    async close() {
      await app.close();
      await fresh.drop();
    },
  };
}
