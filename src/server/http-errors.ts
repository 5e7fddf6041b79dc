/**
 * The one error shape of the API, `{"error": {"code", "message", "details"}}`, and the one place
 * that maps errors to HTTP statuses (STYLE.md "Errors": each edge translates once).
 *
 *   400 invalid_input       malformed JSON, a wrong type, a missing field, a bad value
 *   401 unauthenticated     no or an unknown session / token
 *   403 forbidden           signed in, but the role or token scope does not allow it;
 *       csrf_failed         a cookie-authenticated change without the X-CSRF-Token header
 *   404 not_found           no such resource — or one the caller may not see
 *   409 conflict            already exists / a concurrent change
 *   413 payload_too_large   a body over the route's limit
 *   415 unsupported_media_type  a body that is not application/json
 *   422 unknown_field       a well-typed body naming fields the endpoint does not take;
 *       invalid_rows        an import file with bad rows (details.problems); nothing written
 *       model_not_converged an analysis that could not fit its model
 *   429 rate_limited        too many sign-in attempts (Retry-After says when to try again)
 *   500 internal            anything unexpected (logged; nothing internal is revealed)
 *   503 unavailable         the database is not reachable
 */
import { assertNever, type ErrorCode, TenureError } from '../errors.js';

export type ApiErrorCode =
  | ErrorCode
  | 'unauthenticated'
  | 'csrf_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unknown_field'
  | 'invalid_rows'
  | 'rate_limited'
  | 'method_not_allowed';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'invalid_input':
      return 400;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'forbidden':
      return 403;
    case 'model_not_converged':
      return 422;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
    default:
      return assertNever(code, 'error code');
  }
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  name?: string;
}

/** Status and body for anything thrown; `internal` is true when it must be logged as a bug. */
export function toHttpError(error: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  internal: boolean;
} {
  const body = (code: string, message: string, details: Record<string, unknown> = {}) => ({
    error: { code, message, details },
  });
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: body(error.code, error.message, error.details),
      headers: error.headers,
      internal: false,
    };
  }
  if (error instanceof TenureError) {
    const status = statusOf(error.code);
    return {
      status,
      body:
        status >= 500 && error.code === 'internal'
          ? body('internal', 'internal error')
          : body(error.code, error.message, { ...error.details }),
      headers: {},
      internal: status >= 500 && error.code === 'internal',
    };
  }
  const e = (error ?? {}) as FastifyLikeError;
  // PostgreSQL unique violation that a repository did not anticipate (SQLSTATE 23505).
  if (e.code === '23505') {
    return {
      status: 409,
      body: body('conflict', 'the change conflicts with existing data'),
      headers: {},
      internal: false,
    };
  }
  // A text value the database cannot store: a NUL character (SQLSTATE 22021
  // character_not_in_repertoire), or \u0000 inside a JSON value (22P05 untranslatable_character).
  // The statement failed as a whole, so nothing changed.
  if (e.code === '22021' || e.code === '22P05') {
    return {
      status: 400,
      body: body(
        'invalid_input',
        'a text value contains a NUL character (\\u0000), which cannot be stored',
      ),
      headers: {},
      internal: false,
    };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: body('payload_too_large', 'the request body is larger than this endpoint accepts'),
        headers: {},
        internal: false,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: body('unsupported_media_type', 'send the body as application/json'),
        headers: {},
        internal: false,
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: body('invalid_input', 'the body is empty; send a JSON document'),
        headers: {},
        internal: false,
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return {
        status: 400,
        body: body('invalid_input', `malformed JSON: ${e.message ?? ''}`.trim(), {
          field: 'body',
        }),
        headers: {},
        internal: false,
      };
  }
  if (e.name === 'SyntaxError' && e.statusCode === 400) {
    return {
      status: 400,
      body: body('invalid_input', `malformed JSON: ${e.message}`, { field: 'body' }),
      headers: {},
      internal: false,
    };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: body('invalid_input', e.message ?? 'bad request'),
      headers: {},
      internal: false,
    };
  }
  return { status: 500, body: body('internal', 'internal error'), headers: {}, internal: true };
}
