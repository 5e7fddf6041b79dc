/**
 * Progress for long work: a bar with rate and ETA on a terminal; on a pipe or in CI, nothing
 * while it runs (the command prints a one-line summary at the end).
 */
import cliProgress from 'cli-progress';
import type { CliContext } from './context.js';

export interface Progress {
  update(done: number, extra?: Record<string, string | number>): void;
  setTotal(total: number): void;
  /** a change of phase ("merging into the tables"); shown at once in line mode */
  note(text: string): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, setTotal() {}, note() {}, stop() {} };

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bar', 'lines', 'none'];

/** Plain lines on stderr about once a second: for logs, where a bar would be noise. */
function lineProgress(ctx: CliContext, label: string, unit: string): Progress {
  const started = performance.now();
  let last = 0;
  return {
    update(_done, extra = {}) {
      const now = performance.now();
      if (now - last < 1000) return;
      last = now;
      const items = Number(extra.items ?? _done);
      const s = (now - started) / 1000;
      ctx.err.write(`${label}: ${items} ${unit} (${Math.round(items / s)} ${unit}/s)\n`);
    },
    setTotal() {},
    note(text) {
      ctx.err.write(`${label}: ${text}\n`);
    },
    stop() {},
  };
}

/** `unit` names what is counted (rows, customers). */
export function startProgress(
  ctx: CliContext,
  label: string,
  total: number,
  unit: string,
  json = false,
  mode: ProgressMode = 'auto',
): Progress {
  if (mode === 'none') return SILENT;
  if (mode === 'lines') return lineProgress(ctx, label, unit);
  if (mode === 'auto' && (!ctx.interactive || json)) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {items} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
      stream: ctx.err as NodeJS.WriteStream,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(Math.max(total, 1), 0, { items: 0, rate: 0 });
  return {
    update(done, extra = {}) {
      const s = (performance.now() - started) / 1000;
      const items = Number(extra.items ?? done);
      bar.update(done, { ...extra, items, rate: s > 0 ? Math.round(items / s) : 0 });
    },
    setTotal(t) {
      bar.setTotal(Math.max(t, 1));
    },
    note() {},
    stop() {
      bar.stop();
    },
  };
}
