/** What every command gets: the config, and the streams to write to (tests pass their own). */

import type { Config } from '../config.js';
import { formatLocation, TenureError } from '../errors.js';

export interface CliContext {
  config: Config;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** stderr is a terminal: draw progress bars */
  interactive: boolean;
}

/** Exit code 2: invalid usage or invalid input; 1: any other failure (issue 2 §5). */
export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof ExitError) return error.exitCode;
  if (error instanceof TenureError) return error.code === 'invalid_input' ? 2 : 1;
  return 1;
}

/** One sentence for a person; the stack only with --debug. */
export function describeError(error: unknown, debug: boolean): string {
  if (debug && error instanceof Error && error.stack) return error.stack;
  if (error instanceof TenureError) {
    const d = error.details;
    // a message that already names its line and column (a rule, a JSON path) needs only the field
    if (!d.file && d.line !== undefined && error.message.includes(`${d.line}:${d.column}`)) {
      return d.field ? `${d.field} ${error.message}` : error.message;
    }
    const where = formatLocation(d);
    return where && !error.message.startsWith(where) ? `${where}: ${error.message}` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out.write(`${JSON.stringify(value, null, 2)}\n`);
}
