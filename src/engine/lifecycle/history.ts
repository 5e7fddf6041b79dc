/**
 * From evaluations to stage history (PEER-LESSONS "Lifecycle": stages move both ways by rule and
 * keep full history). A history row is written only when a customer's stage changes, with the
 * rule, its values and the reason, and the model version that decided it. `replayStages` runs a
 * model over a series of as-of snapshots (oldest first), carrying each customer's stage forward,
 * so the store can rebuild history after a model edit; its rows feed `analysis.ts` and
 * `trajectory.ts` directly.
 */

import { InputError } from '../../errors.js';
import type { StageHistoryRow } from './analysis.js';
import {
  assignStages,
  type ConditionOutcome,
  type CustomerState,
  evaluateStages,
  type StageEvaluation,
} from './evaluate.js';
import type { Bilingual, StageModel } from './model.js';

export interface StageChange extends StageHistoryRow {
  readonly previousStage: string | null;
  readonly ruleId: string;
  readonly wonBack: boolean;
  readonly reason: Bilingual;
  readonly conditions: readonly ConditionOutcome[];
  readonly modelKey: string;
  readonly modelVersion: number;
}

/** The history rows to write for evaluations made as of `at`: one per customer whose stage changed. */
export function stageChanges(results: readonly StageEvaluation[], at: Date): StageChange[] {
  const out: StageChange[] = [];
  for (const r of results) {
    if (!r.changed) continue;
    out.push(
      Object.freeze({
        customerId: r.customerId,
        stage: r.stage,
        enteredAt: at,
        previousStage: r.previousStage,
        ruleId: r.ruleId,
        wonBack: r.wonBack,
        reason: r.reason,
        conditions: r.conditions,
        modelKey: r.modelKey,
        modelVersion: r.modelVersion,
      }),
    );
  }
  return out;
}

export interface StageSnapshot {
  readonly asOf: Date;
  /** customers known at this date; a customer missing here keeps their stage */
  readonly states: readonly CustomerState[];
}

export interface Replay {
  /** every change, in date order */
  readonly changes: readonly StageChange[];
  /** each customer's stage after the last snapshot */
  readonly current: ReadonlyMap<string, string>;
}

/**
 * Evaluate `model` at each snapshot in turn (oldest first), each customer's previous stage being
 * their stage after the snapshot before (or `initial`), and collect the changes. Churn holds
 * until a purchase after the churn date (`previousStageSince`).
 */
export function replayStages(
  model: StageModel,
  snapshots: readonly StageSnapshot[],
  initial: ReadonlyMap<string, string> = new Map(),
): Replay {
  const current = new Map(initial);
  // When each customer entered their current stage (unknown for `initial`).
  const since = new Map<string, Date>();
  const changes: StageChange[] = [];
  let last = Number.NEGATIVE_INFINITY;
  snapshots.forEach((snap, i) => {
    const t = snap.asOf instanceof Date ? snap.asOf.getTime() : Number.NaN;
    if (!(t > last)) {
      throw new InputError(
        `snapshots.${i}.asOf: expected a valid date after the snapshot before, got ${String(snap.asOf)}`,
        { field: `snapshots.${i}.asOf`, value: snap.asOf },
      );
    }
    last = t;
    const previous = snap.states.map((s) => current.get(s.customerId) ?? null);
    const states = snap.states.map((s) => ({
      ...s,
      previousStageSince: since.get(s.customerId) ?? null,
    }));
    // Decide everyone cheaply, then explain only the customers whose stage changed.
    const a = assignStages(model, states, snap.asOf, previous);
    const moved: number[] = [];
    a.stages.forEach((stage, k) => {
      current.set(a.customerIds[k], stage);
      if (a.changed[k] === 1) {
        moved.push(k);
        since.set(a.customerIds[k], snap.asOf);
      }
    });
    const results = evaluateStages(
      model,
      moved.map((k) => states[k]),
      snap.asOf,
      moved.map((k) => previous[k]),
    );
    changes.push(...stageChanges(results, snap.asOf));
  });
  return Object.freeze({ changes: Object.freeze(changes), current });
}
