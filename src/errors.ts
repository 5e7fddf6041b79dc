/**
 * Tenure's one error hierarchy. Every layer throws these; each edge (store, server, CLI)
 * translates them once. `details` says where (file, line, column, field, value) as far as known.
 */

export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'model_not_converged'
  | 'unavailable'
  | 'internal';

export interface ErrorDetails {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  value?: unknown;
  [key: string]: unknown;
}

export class TenureError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

export class InputError extends TenureError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super('invalid_input', message, details, cause);
  }
}

export class NotFoundError extends TenureError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super('not_found', message, details, cause);
  }
}

export class ConflictError extends TenureError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super('conflict', message, details, cause);
  }
}

export class ForbiddenError extends TenureError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super('forbidden', message, details, cause);
  }
}

/** A model fit that did not converge: says how far it got (iterations, gradient norm). */
export class ModelError extends TenureError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super('model_not_converged', message, details, cause);
  }
}

export class UnavailableError extends TenureError {
  constructor(message: string, details: ErrorDetails = {}, cause?: unknown) {
    super('unavailable', message, details, cause);
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new TenureError('internal', `unexpected ${what}: ${JSON.stringify(value)}`);
}

/** "file:line:column field: reason" — the one way a located problem is written. */
export function formatLocation(d: ErrorDetails): string {
  const where = [d.file, d.line, d.column].filter((p) => p !== undefined).join(':');
  return [where, d.field].filter((p) => p !== undefined && p !== '').join(' ');
}
