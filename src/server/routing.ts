/**
 * Routes declared once with their zod schemas: the same declaration validates the request,
 * checks the caller's capability and produces the OpenAPI 3.1 document (zod 4's
 * `z.toJSONSchema` emits JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 *
 * Validation errors name the path of each problem ("At body.events.3.type: …"). A body with
 * fields the endpoint does not know is 422 `unknown_field` (schemas are strict); any other
 * problem is 400 `invalid_input` with every issue listed in `details.issues`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Actor } from '../store/access.js';
import type { Db } from '../store/db.js';
import { type AuthInfo, authenticate, type Capability, requireCapability } from './auth.js';
import { ApiError } from './http-errors.js';

export interface AppContext {
  db: Db;
  config: Config;
  now: () => Date;
  /** wakes the webhook worker after a commit that wrote to the outbox */
  notifyOutbox: () => void;
}

export interface Handler<P, Q, B> {
  req: FastifyRequest;
  reply: FastifyReply;
  auth: AuthInfo;
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  app: AppContext;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Fastify path syntax: /api/customers/:id */
  url: string;
  summary: string;
  tag: string;
  /** the capability needed; 'public' needs no sign-in; 'signed-in' any user */
  auth: Capability | 'public' | 'signed-in';
  params?: P;
  query?: Q;
  body?: B;
  response?: z.ZodType;
  /**
   * A file instead of JSON: its content types, for the document. The handler sends the body
   * itself through `reply` (a stream, so a large file is never held in memory) and returns `reply`.
   */
  produces?: readonly string[];
  /** success status (default 200) */
  status?: number;
  bodyLimit?: number;
  /**
   * a body that is not JSON (a file sent as itself): its media types and what it is, for the
   * document; `body` then validates what the content-type parser made of it
   */
  rawBody?: { types: readonly string[]; description: string };
  /** a second answer the client may ask for with Accept (a stream of JSON lines), for the document */
  streamResponse?: { type: string; description: string; line: z.ZodType };
  /** extra statuses this route answers with, for the document */
  errors?: number[];
  /** what a status means on this route, where the general text does not say it */
  errorText?: Partial<Record<number, string>>;
  handler: (h: Handler<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown> | unknown;
}

export interface Registry {
  routes: RouteDef[];
}

function pathOf(path: PropertyKey[]): string {
  return path.map(String).join('.');
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function getAt(root: unknown, path: PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

/** Parses `value` (the request's `where`: body, query, params) or throws the documented error. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: string,
): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const path = [where, ...i.path];
    if (i.code === 'unrecognized_keys') {
      return {
        path: pathOf(path),
        code: 'unknown_field',
        message: `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`,
        fields: i.keys.map((k) => pathOf([...path, k])),
      };
    }
    let message = i.message.replace(/^Invalid input: /, '');
    if (i.code === 'invalid_type') {
      const got = getAt(value, i.path);
      message = got === undefined ? 'required' : `expected ${i.expected}, got ${describeType(got)}`;
    }
    return { path: pathOf(path), code: i.code, message };
  });
  const text = issues
    .slice(0, 5)
    .map((i) => `At ${i.path}: ${i.message}`)
    .join('; ');
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  if (issues.every((i) => i.code === 'unknown_field')) {
    throw new ApiError(422, 'unknown_field', text + more, {
      fields: issues.flatMap((i) => ('fields' in i ? i.fields : [])),
      issues,
    });
  }
  throw new ApiError(400, 'invalid_input', text + more, { issues });
}

export function addRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  fastify: FastifyInstance,
  registry: Registry,
  app: AppContext,
  def: RouteDef<P, Q, B>,
): void {
  registry.routes.push(def as unknown as RouteDef);
  fastify.route({
    method: def.method,
    url: def.url,
    ...(def.bodyLimit ? { bodyLimit: def.bodyLimit } : {}),
    handler: async (req, reply) => {
      let auth: AuthInfo | null = null;
      if (def.auth !== 'public') {
        auth = await authenticate(app.db, req);
        if (def.auth !== 'signed-in') requireCapability(auth, def.auth);
      }
      const params = def.params ? parseWith(def.params, req.params, 'params') : {};
      const query = def.query ? parseWith(def.query, req.query ?? {}, 'query') : {};
      let body: unknown;
      if (def.body) {
        body = parseWith(def.body, req.body, 'body');
      } else if (req.body !== undefined && req.body !== null && def.method !== 'GET') {
        if (typeof req.body === 'object' && Object.keys(req.body as object).length > 0) {
          throw new ApiError(422, 'unknown_field', 'this endpoint takes no body', {
            fields: Object.keys(req.body as object).map((k) => `body.${k}`),
          });
        }
      }
      const result = await def.handler({
        req,
        reply,
        auth: auth as AuthInfo,
        actor: auth?.actor as Actor,
        params: params as z.output<P>,
        query: query as z.output<Q>,
        body: body as z.output<B>,
        app,
      });
      // a handler that answered itself (a stream) returns the reply
      if (reply.sent || result === reply) return reply;
      reply.code(def.status ?? 200);
      if (result === undefined) return reply.send();
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(result));
    },
  });
}

// ---- OpenAPI 3.1 ----

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object' },
      },
    },
  },
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed JSON, a wrong type or a bad value (invalid_input); details.issues has each path',
  401: 'Not signed in (unauthenticated)',
  403: 'The role or token scope does not allow it (forbidden), or a missing X-CSRF-Token (csrf_failed)',
  404: 'No such resource, or one the caller may not see (not_found)',
  409: 'Conflicts with existing data (conflict)',
  413: 'The body is too large (payload_too_large)',
  422: 'Fields the endpoint does not know (unknown_field)',
  429: 'Too many attempts (rate_limited)',
};

export function openApiDocument(registry: Registry, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of registry.routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as {
        properties?: Record<string, Record<string, unknown>>;
        required?: string[];
      };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          ...(prop.description ? { description: prop.description } : {}),
          schema: prop,
        });
      }
    }
    const content: Record<string, unknown> = {};
    if (r.response) content['application/json'] = { schema: jsonSchema(r.response, 'output') };
    if (r.streamResponse) {
      content[r.streamResponse.type] = { schema: jsonSchema(r.streamResponse.line, 'output') };
    }
    for (const type of r.produces ?? []) {
      content[type] = { schema: { type: 'string', format: 'binary' } };
    }
    const responses: Record<string, unknown> = {
      [String(r.status ?? 200)]: {
        description: r.streamResponse ? `Success. ${r.streamResponse.description}` : 'Success',
        ...(Object.keys(content).length ? { content } : {}),
      },
    };
    const errors = new Set<number>(r.errors ?? []);
    if (r.auth !== 'public') {
      errors.add(401);
      if (r.auth !== 'signed-in') errors.add(403);
    }
    if (r.body || r.query || r.params) errors.add(400);
    if (r.body) {
      errors.add(413);
      errors.add(422);
    }
    for (const s of [...errors].sort()) {
      responses[String(s)] = {
        description: r.errorText?.[s] ?? STATUS_TEXT[s] ?? 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.auth === 'public' ? { security: [] } : {}),
      ...(r.auth !== 'public' && r.auth !== 'signed-in'
        ? { description: `Needs the capability \`${r.auth}\`.` }
        : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(r.rawBody
        ? {
            // OpenAPI 3.1, Media Type Object, "Considerations for File Uploads": a file sent as
            // the body itself needs no schema
            requestBody: {
              required: true,
              description: r.rawBody.description,
              content: Object.fromEntries(r.rawBody.types.map((t) => [t, {}])),
            },
          }
        : r.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(r.body, 'input') } },
              },
            }
          : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tenure API',
      version,
      description:
        'Customer lifecycle management. Sign in with POST /api/auth/login (session cookie; send X-CSRF-Token on changes) or use an API token (Authorization: Bearer tnr_…). Errors are {"error": {"code", "message", "details"}}.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'tenure_session' },
        token: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ session: [] }, { token: [] }],
    paths,
  };
}
