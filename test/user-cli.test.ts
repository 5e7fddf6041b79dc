/** Issue 7 §2 on the command line: `tenure user add --role R` and `tenure user list`. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { verifyPassword } from '../src/server/auth.js';
import { openDb } from '../src/store/open.js';
import { findUserForLogin } from '../src/store/user-repo.js';
import { BACKENDS, createServerDatabase } from './backends.js';
import { runTenure } from './cli-harness.js';

const tenure = (env: Record<string, string>, ...args: string[]) => runTenure(env, args);

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`tenure user on ${backend.name}`, () => {
    test('issue 7: tenure user add creates a user whose generated password signs in; bad usage exits 2', async () => {
      let env: Record<string, string>;
      let cleanup: () => Promise<void>;
      let target: { databaseUrl: string | null; dataDir: string | null };
      if (backend.name === 'pglite') {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'tenure-user-'));
        env = { TENURE_DATA_DIR: dir };
        target = { databaseUrl: null, dataDir: dir };
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const created = await createServerDatabase();
        env = { DATABASE_URL: created.url };
        target = { databaseUrl: created.url, dataDir: null };
        cleanup = created.drop;
      }
      try {
        const badRole = await tenure(env, 'user', 'add', 'x', '--role', 'boss');
        expect(badRole).toMatchObject({ code: 2 });
        expect(badRole.err).toMatch(
          /--role must be one of admin, manager, agent, analyst, got "boss"/,
        );
        const noStaff = await tenure(env, 'user', 'add', 'x', '--role', 'agent');
        expect(noStaff.code).toBe(2);
        expect(noStaff.err).toMatch(/an agent needs --staff-id/);
        const made = await tenure(
          env,
          'user',
          'add',
          'wang',
          '--role',
          'agent',
          '--staff-id',
          'S017',
          '--json',
        );
        expect(made.code, made.err).toBe(0);
        const json = JSON.parse(made.out) as {
          user: { role: string; staffId: string };
          password: string;
        };
        expect(json.user).toMatchObject({ role: 'agent', staffId: 'S017' });
        const again = await tenure(
          env,
          'user',
          'add',
          'wang',
          '--role',
          'admin',
          '--password',
          'long enough pw',
        );
        expect(again.code).toBe(1);
        expect(again.err).toMatch(/a user named "wang" already exists/);
        const db = await openDb(target);
        try {
          const found = await findUserForLogin(db, 'wang');
          expect(found?.passwordHash.startsWith('scrypt$')).toBe(true);
          expect(await verifyPassword(json.password, found!.passwordHash)).toBe(true);
          expect(await verifyPassword('wrong', found!.passwordHash)).toBe(false);
        } finally {
          await db.close();
        }
      } finally {
        await cleanup();
      }
    }, 180_000);
  });
}
