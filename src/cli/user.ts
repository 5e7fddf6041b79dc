/**
 * `tenure user add <username> --role R [--staff-id S] [--password P]` and `tenure user list`
 * (issue 7 §2). Without --password a strong one is generated and printed once.
 */
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { generatePassword, hashPassword } from '../server/auth.js';
import { ROLES, type Role } from '../store/access.js';
import { createUser, listUsers } from '../store/user-repo.js';
import { type CliContext, printJson } from './context.js';
import { withDb } from './with-db.js';

export function registerUser(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('people who sign in to the web app and API');
  user
    .command('add <username>')
    .description('create a user with a role (admin, manager, agent, analyst)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--staff-id <id>', 'the owner id on the customers this person manages (agents)')
    .option('--name <name>', 'display name')
    .option('--password <password>', 'at least 10 characters (default: generated and printed)')
    .option('--json', 'print the result as JSON')
    .action(async (username: string, opts) => {
      if (!ROLES.includes(opts.role)) {
        throw new InputError(`--role must be one of ${ROLES.join(', ')}, got "${opts.role}"`, {
          field: '--role',
          value: opts.role,
        });
      }
      if (opts.role === 'agent' && !opts.staffId) {
        throw new InputError(
          'an agent needs --staff-id: they see only customers with that owner id',
          {
            field: '--staff-id',
          },
        );
      }
      if (opts.password !== undefined && String(opts.password).length < 10) {
        throw new InputError('--password must have at least 10 characters', {
          field: '--password',
        });
      }
      const password: string = opts.password ?? generatePassword();
      const made = await withDb(ctx, async (db) =>
        createUser(db, {
          username,
          role: opts.role as Role,
          staffId: opts.staffId ?? null,
          displayName: opts.name ?? null,
          passwordHash: await hashPassword(password),
        }),
      );
      if (opts.json) {
        printJson(ctx, { user: made, ...(opts.password ? {} : { password }) });
        return;
      }
      ctx.out.write(
        `created ${made.role} "${made.username}"${made.staffId ? ` (staff id ${made.staffId})` : ''}` +
          (opts.password ? '\n' : `; password: ${password}\n`),
      );
    });
  user
    .command('list')
    .description('every user')
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      const users = await withDb(ctx, (db) => listUsers(db));
      if (opts.json) {
        printJson(ctx, users);
        return;
      }
      for (const u of users) {
        ctx.out.write(
          `${u.username}\t${u.role}\t${u.staffId ?? ''}${u.disabled ? '\t(disabled)' : ''}\n`,
        );
      }
    });
}
