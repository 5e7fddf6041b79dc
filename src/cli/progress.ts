/**
 * Progress for long work: a bar with rate and ETA on a terminal; on a pipe or in CI, nothing
 * while it runs (the command prints a one-line summary at the end).
 */
import cliProgress from 'cli-progress';
import type { CliContext } from './context.js';

export interface Progress {
  update(done: number, extra?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, setTotal() {}, stop() {} };

/** `unit` names what is counted (rows, customers); `format` may use {file}. */
export function startProgress(
  ctx: CliContext,
  label: string,
  total: number,
  unit: string,
  json = false,
): Progress {
  if (!ctx.interactive || json) return SILENT;
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
    stop() {
      bar.stop();
    },
  };
}
