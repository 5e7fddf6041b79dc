/**
 * The one way the web app talks to the server. Every failure becomes an `ApiError` carrying the
 * server's `{"error":{code,message,details}}` (issue 7), or a network/unknown code; pages show
 * it through `errorMessage` as a sentence, never as raw JSON or a stack.
 */
import type { TFunction } from 'i18next';

export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

/** The session's CSRF token (from the login or /me response), sent on every change. */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

function cookieCsrf(): string | null {
  const m = document.cookie.match(/(?:^|;\s*)(?:tenure_csrf|csrf_token|csrf)=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : null;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** a FormData upload instead of JSON */
  form?: FormData;
  /** a file sent as the body itself, with its content type (POST /api/imports: text/csv or XLSX) */
  raw?: { body: Blob; type: string };
  signal?: AbortSignal;
}

/** Calls the API and returns the parsed JSON body; throws `ApiError` otherwise. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const url = withQuery(path, opts.query);
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.raw) {
    headers['content-type'] = opts.raw.type;
    body = opts.raw.body;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'GET') {
    const token = csrfToken ?? cookieCsrf();
    if (token) headers['x-csrf-token'] = token;
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', (e as Error).message, path);
  }
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const err = (json as { error?: ErrorBody } | null)?.error;
    let code =
      err?.code ??
      (res.status === 401 ? 'unauthorized' : res.status === 404 ? 'missing_endpoint' : 'internal');
    // the server's answer for a route it does not have (src/server/app.ts not-found handler)
    if (res.status === 404 && err?.details?.method && /^no endpoint /.test(err.message)) {
      code = 'missing_endpoint';
    }
    throw new ApiError(res.status, code, err?.message ?? res.statusText, path, err?.details ?? {});
  }
  if (json === null && text) {
    // an HTML page where JSON was expected: the route does not exist on this server
    throw new ApiError(res.status, 'missing_endpoint', 'not JSON', path);
  }
  return json as T;
}

/**
 * POSTs a file as the body and reads the answer as JSON lines (`Accept: application/x-ndjson`,
 * POST /api/imports), handing each line to `onLine` as it arrives. An error answered before the
 * stream began is thrown as `ApiError`, like `api`; an `{"type":"error"}` line is the caller's.
 */
export async function apiStream<L>(
  path: string,
  opts: { query?: Query; raw: { body: Blob; type: string }; signal?: AbortSignal },
  onLine: (line: L) => void,
): Promise<void> {
  const headers: Record<string, string> = {
    accept: 'application/x-ndjson',
    'content-type': opts.raw.type,
  };
  const token = csrfToken ?? cookieCsrf();
  if (token) headers['x-csrf-token'] = token;
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), {
      method: 'POST',
      headers,
      body: opts.raw.body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', (e as Error).message, path);
  }
  if (!res.ok || !res.body) {
    let err: ErrorBody | undefined;
    try {
      err = ((await res.json()) as { error?: ErrorBody }).error;
    } catch {
      err = undefined;
    }
    throw new ApiError(
      res.status,
      err?.code ?? (res.status === 404 ? 'missing_endpoint' : 'internal'),
      err?.message ?? res.statusText,
      path,
      err?.details ?? {},
    );
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buffer += value;
    let nl = buffer.indexOf('\n');
    while (nl !== -1) {
      const text = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (text) onLine(JSON.parse(text) as L);
      nl = buffer.indexOf('\n');
    }
    if (done) break;
  }
  if (buffer.trim()) onLine(JSON.parse(buffer) as L);
}

/** A sentence for people: the server's message inside a localised frame, never JSON. */
export function errorMessage(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    const message = error.message;
    switch (error.code) {
      case 'invalid_input':
      case 'conflict':
      case 'model_not_converged':
        return t(`errors.${error.code}`, { message });
      case 'not_found':
      case 'forbidden':
      case 'unavailable':
      case 'internal':
      case 'network':
        return t(`errors.${error.code}`);
      case 'unauthorized':
      case 'unauthenticated':
        return t('errors.unauthorized');
      case 'missing_endpoint':
        return t('errors.missingEndpoint', { path: error.path.split('?')[0] });
      default:
        return t('errors.unknown', { message });
    }
  }
  return t('errors.internal');
}

/** Reads a list from the shapes a list endpoint may answer with. */
export function itemsOf<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  const o = (body ?? {}) as Record<string, unknown>;
  for (const k of ['items', 'data', 'rows', 'results']) if (Array.isArray(o[k])) return o[k] as T[];
  return [];
}
