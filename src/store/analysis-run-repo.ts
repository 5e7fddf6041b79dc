/** Analysis runs started through the API (issue 7 §4): status, progress steps and result. */
import { NotFoundError } from '../errors.js';
import type { Db } from './db.js';
import { newId } from './user-repo.js';

export interface AnalysisRun {
  runId: string;
  status: 'running' | 'succeeded' | 'failed';
  asOf: string;
  options: Record<string, unknown>;
  progress: { at: string; step: string }[];
  result: unknown;
  error: string | null;
  startedBy: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = `run_id AS "runId", status, as_of AS "asOf", options, progress, result, error,
  started_by AS "startedBy", started_at AS "startedAt", finished_at AS "finishedAt"`;

export async function startRun(
  db: Db,
  asOf: string,
  options: Record<string, unknown>,
  startedBy: string,
): Promise<AnalysisRun> {
  const { rows } = await db.query<AnalysisRun>(
    `INSERT INTO analysis_runs (run_id, status, as_of, options, started_by)
     VALUES ($1, 'running', $2, $3, $4) RETURNING ${COLUMNS}`,
    [newId('run'), asOf, JSON.stringify(options), startedBy],
  );
  return rows[0];
}

/** Is a run still going (one at a time: runs rewrite the same snapshot tables)? */
export async function runningRun(db: Db): Promise<AnalysisRun | null> {
  const { rows } = await db.query<AnalysisRun>(
    `SELECT ${COLUMNS} FROM analysis_runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1`,
  );
  return rows[0] ?? null;
}

export async function addRunProgress(db: Db, runId: string, step: string): Promise<void> {
  await db.query(
    `UPDATE analysis_runs SET progress = progress || jsonb_build_array(jsonb_build_object('at', now(), 'step', $2::text))
     WHERE run_id = $1`,
    [runId, step],
  );
}

export async function finishRun(
  db: Db,
  runId: string,
  outcome: { result: unknown } | { error: string },
): Promise<void> {
  await db.query(
    `UPDATE analysis_runs SET status = $2, result = $3, error = $4, finished_at = now() WHERE run_id = $1`,
    [
      runId,
      'error' in outcome ? 'failed' : 'succeeded',
      'result' in outcome ? JSON.stringify(outcome.result) : null,
      'error' in outcome ? outcome.error : null,
    ],
  );
}

/** Runs left 'running' by a process that stopped: marked failed at start-up. */
export async function failAbandonedRuns(db: Db): Promise<number> {
  const res = await db.query(
    `UPDATE analysis_runs SET status = 'failed', error = 'the server stopped during the run', finished_at = now()
     WHERE status = 'running'`,
  );
  return res.rowCount;
}

export async function getRun(db: Db, runId: string): Promise<AnalysisRun> {
  const { rows } = await db.query<AnalysisRun>(
    `SELECT ${COLUMNS} FROM analysis_runs WHERE run_id = $1`,
    [runId],
  );
  if (!rows[0]) throw new NotFoundError(`no analysis run "${runId}"`, { value: runId });
  return rows[0];
}

export async function listRuns(db: Db, limit: number): Promise<AnalysisRun[]> {
  const { rows } = await db.query<AnalysisRun>(
    `SELECT ${COLUMNS} FROM analysis_runs ORDER BY started_at DESC LIMIT $1`,
    [limit],
  );
  return rows;
}
