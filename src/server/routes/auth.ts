/** Sign-in, sessions, users and API tokens (issue 7 §2). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ConflictError } from '../../errors.js';
import type { Role } from '../../store/access.js';
import { audit } from '../../store/audit-repo.js';
import {
  createApiToken,
  createSession,
  createUser,
  deleteSession,
  findUserForLogin,
  listApiTokens,
  listUsers,
  revokeApiToken,
  setUserDisabled,
} from '../../store/user-repo.js';
import {
  CAPABILITIES,
  CSRF_COOKIE,
  DUMMY_HASH,
  hashPassword,
  type LoginLimiter,
  ROLE_CAPABILITIES,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  verifyPassword,
} from '../auth.js';
import { ApiError } from '../http-errors.js';
import { type AppContext, addRoute, type Registry } from '../routing.js';
import { IdParams, Instant, RoleSchema, UserSchema } from '../schemas.js';

const Me = z.object({
  user: UserSchema,
  csrfToken: z.string().nullable().describe('send as X-CSRF-Token on POST/PUT/PATCH/DELETE'),
  capabilities: z.array(z.string()),
  via: z.enum(['session', 'token']),
});

const TokenSchema = z.object({
  tokenId: z.string(),
  userId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: Instant,
  lastUsedAt: Instant.nullable(),
  revokedAt: Instant.nullable(),
});

export function registerAuthRoutes(
  f: FastifyInstance,
  r: Registry,
  app: AppContext,
  limiter: LoginLimiter,
): void {
  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/auth/login',
    summary:
      'Sign in: sets the HttpOnly session cookie and returns the CSRF token (rate-limited per address, per address and username, and per username, counted in the database)',
    tag: 'auth',
    auth: 'public',
    errors: [401, 429],
    body: z.strictObject({
      username: z.string().min(1).max(100),
      password: z.string().min(1).max(200),
    }),
    response: Me,
    handler: async ({ req, reply, body, app }) => {
      await limiter.check(app.db, req.ip, body.username);
      const found = await findUserForLogin(app.db, body.username);
      const ok = await verifyPassword(body.password, found?.passwordHash ?? DUMMY_HASH);
      if (!found || !ok) {
        await limiter.fail(app.db, req.ip, body.username);
        throw new ApiError(401, 'unauthenticated', 'unknown username or wrong password');
      }
      await limiter.succeed(app.db, req.ip, body.username);
      const session = await createSession(app.db, found.user.userId, SESSION_TTL_MS, req.ip);
      const secure = req.protocol === 'https';
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        expires: session.expiresAt,
      });
      // Readable by the web app's script (double submit); the server checks it against the session.
      reply.setCookie(CSRF_COOKIE, session.csrfToken, {
        httpOnly: false,
        sameSite: 'lax',
        secure,
        path: '/',
        expires: session.expiresAt,
      });
      await audit(
        app.db,
        { ...systemlessActor(found.user.username, found.user.role), origin: req.ip },
        'auth.login',
        null,
      );
      return {
        user: found.user,
        csrfToken: session.csrfToken,
        capabilities: [...ROLE_CAPABILITIES[found.user.role]],
        via: 'session' as const,
      };
    },
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/auth/logout',
    summary: 'Sign out: ends the session and clears its cookies',
    tag: 'auth',
    auth: 'signed-in',
    status: 204,
    handler: async ({ req, reply, app }) => {
      const token = req.cookies?.[SESSION_COOKIE];
      if (token) await deleteSession(app.db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(CSRF_COOKIE, { path: '/' });
    },
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/auth/me',
    summary: 'The signed-in user, their capabilities and the session’s CSRF token',
    tag: 'auth',
    auth: 'signed-in',
    response: Me,
    handler: ({ auth }) => ({
      user: auth.user,
      csrfToken: auth.csrfToken,
      capabilities: [...auth.capabilities],
      via: auth.via,
    }),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/users',
    summary: 'Every user',
    tag: 'users',
    auth: 'users:manage',
    response: z.object({ items: z.array(UserSchema) }),
    handler: async ({ app }) => ({ items: await listUsers(app.db) }),
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/users',
    summary: 'Create a user (the password is hashed with scrypt)',
    tag: 'users',
    auth: 'users:manage',
    status: 201,
    errors: [409],
    body: z.strictObject({
      username: z.string().min(1).max(100),
      password: z.string().min(10, 'at least 10 characters').max(200),
      role: RoleSchema,
      displayName: z.string().max(200).nullable().optional(),
      staffId: z
        .string()
        .max(100)
        .nullable()
        .optional()
        .describe('the owner id on the customers an agent may see'),
    }),
    response: UserSchema,
    handler: async ({ body, app, actor }) =>
      app.db.transaction(async (tx) => {
        const user = await createUser(tx, {
          username: body.username,
          role: body.role as Role,
          displayName: body.displayName ?? null,
          staffId: body.staffId ?? null,
          passwordHash: await hashPassword(body.password),
        });
        await audit(tx, actor, 'user.create', null, { user: user.username, role: user.role });
        return user;
      }),
  });

  addRoute(f, r, app, {
    method: 'PATCH',
    url: '/api/users/:id',
    summary: 'Disable or re-enable a user (disabling ends their sessions)',
    tag: 'users',
    auth: 'users:manage',
    errors: [404],
    params: IdParams,
    body: z.strictObject({ disabled: z.boolean() }),
    response: UserSchema,
    handler: async ({ params, body, app, actor }) =>
      app.db.transaction(async (tx) => {
        if (params.id === actor.userId && body.disabled) {
          throw new ConflictError('you cannot disable yourself', { field: 'disabled' });
        }
        const user = await setUserDisabled(tx, params.id, body.disabled);
        await audit(tx, actor, body.disabled ? 'user.disable' : 'user.enable', null, {
          user: user.username,
        });
        return user;
      }),
  });

  addRoute(f, r, app, {
    method: 'GET',
    url: '/api/tokens',
    summary: 'API tokens: your own, or everyone’s for an admin (secrets are never shown again)',
    tag: 'tokens',
    auth: 'signed-in',
    response: z.object({ items: z.array(TokenSchema) }),
    handler: async ({ app, auth }) => ({
      items: await listApiTokens(
        app.db,
        auth.capabilities.has('users:manage') ? null : auth.user.userId,
      ),
    }),
  });

  addRoute(f, r, app, {
    method: 'POST',
    url: '/api/tokens',
    summary:
      'Create an API token for yourself with the given scopes (a subset of your role’s capabilities); the secret is in this response only',
    tag: 'tokens',
    auth: 'signed-in',
    status: 201,
    body: z.strictObject({
      name: z.string().min(1).max(100),
      scopes: z.array(z.enum(CAPABILITIES)).min(1),
    }),
    response: z.object({ token: TokenSchema, secret: z.string() }),
    handler: async ({ body, app, auth, actor }) => {
      if (auth.via === 'token') {
        throw new ApiError(403, 'forbidden', 'an API token cannot create tokens; sign in');
      }
      const extra = body.scopes.filter((s) => !auth.capabilities.has(s));
      if (extra.length > 0) {
        throw new ApiError(
          403,
          'forbidden',
          `the ${auth.user.role} role does not have ${extra.join(', ')}`,
          {
            scopes: extra,
          },
        );
      }
      return app.db.transaction(async (tx) => {
        const made = await createApiToken(tx, auth.user.userId, body.name, body.scopes);
        await audit(tx, actor, 'token.create', null, {
          tokenId: made.token.tokenId,
          scopes: body.scopes,
        });
        return made;
      });
    },
  });

  addRoute(f, r, app, {
    method: 'DELETE',
    url: '/api/tokens/:id',
    summary: 'Revoke an API token (yours; an admin may revoke any)',
    tag: 'tokens',
    auth: 'signed-in',
    errors: [404],
    params: IdParams,
    response: TokenSchema,
    handler: async ({ params, app, auth, actor }) =>
      app.db.transaction(async (tx) => {
        const t = await revokeApiToken(
          tx,
          params.id,
          auth.capabilities.has('users:manage') ? null : auth.user.userId,
        );
        await audit(tx, actor, 'token.revoke', null, { tokenId: t.tokenId });
        return t;
      }),
  });
}

function systemlessActor(username: string, role: Role) {
  return { userId: username, username, role, staffId: null, origin: null };
}
