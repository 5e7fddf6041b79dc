/**
 * `tenure customer <id>`: one customer's essentials, latest scores, lifecycle stage under each
 * model with its history and reasons, and the next best action from the stage playbook
 * (issue 4 parts 3 and 5). Read-only. An unknown id is a NotFoundError (exit 1).
 *
 *   tenure customer <id> [--json]
 *
 * --json prints one object:
 *   { customerId,
 *     profile: {name, province, city, ownerId, channel, industry, acquiredAt, isPlaceholder,
 *               erasedAt},                          // personal data as stored
 *     score: null | {asOf: 'YYYY-MM-DD', model, pAlive, expectedPurchases, horizonDays,
 *                    expectedSpend: {minor, yuan} | null,
 *                    clv: {minor, yuan, currency: 'CNY'} | null,  // minor = fen
 *                    tier, churnRisk, warningLevel},
 *     stages: [{ model, modelName: {zh, en},
 *                current: {stage, zh, en, since: ISO instant, reason: {zh, en}, ruleId},
 *                history: [{at, from, to, zh, en, reason: {zh, en}, ruleId, wonBack}],  // oldest first
 *                nextAction: null | {goal: {zh, en}, kpi: {zh, en},
 *                                    action: {id, title: {zh, en}, channel, timing: {zh, en}},
 *                                    reason: {zh, en}} }] }
 * The next action uses the snapshot's value tier and risk level only when they are set to values
 * the playbook knows (high/medium/low[/negative]); otherwise it is the stage's default action.
 */
import type { Command } from 'commander';
import {
  nextBestAction,
  type Playbook,
  PRESET_MODELS,
  PRESET_PLAYBOOKS,
  playbookRiskOf,
  playbookTierOfSnapshot,
  type RiskLevel,
  type StageModel,
  type ValueTier,
} from '../engine/index.js';
import { NotFoundError } from '../errors.js';
import {
  type CustomerProfile,
  type CustomerStageChange,
  customerProfile,
  customerStageHistory,
  latestScore,
} from '../store/lifecycle-repo.js';
import { listStageModels } from '../store/stage-model-repo.js';
import { type CliContext, printJson } from './context.js';
import { withDb } from './with-db.js';

interface Text {
  zh: string;
  en: string;
}

export interface CustomerReport {
  customerId: string;
  profile: Omit<CustomerProfile, 'customerId'>;
  score: {
    asOf: string;
    model: string;
    pAlive: number | null;
    expectedPurchases: number | null;
    horizonDays: number | null;
    expectedSpend: { minor: number; yuan: number } | null;
    clv: { minor: number; yuan: number; currency: 'CNY' } | null;
    tier: string | null;
    churnRisk: number | null;
    warningLevel: string | null;
  } | null;
  stages: {
    model: string;
    modelName: Text;
    current: {
      stage: string;
      zh: string;
      en: string;
      since: string;
      reason: Text;
      ruleId: string | null;
    };
    history: {
      at: string;
      from: string | null;
      to: string;
      zh: string;
      en: string;
      reason: Text;
      ruleId: string | null;
      wonBack: boolean;
    }[];
    nextAction: {
      goal: Text;
      kpi: Text;
      action: { id: string; title: Text; channel: string; timing: Text };
      reason: Text;
    } | null;
  }[];
}

type StoredModels = ReadonlyMap<string, { model: StageModel; playbook: Playbook | null }>;

function stagesOf(
  changes: CustomerStageChange[],
  tier: ValueTier | undefined,
  risk: RiskLevel | undefined,
  stored: StoredModels,
): CustomerReport['stages'] {
  // Names and playbooks as the business keeps them in stage_models (presets as a fallback).
  const modelOf = (key: string): StageModel | undefined =>
    stored.get(key)?.model ?? PRESET_MODELS[key];
  const stageName = (model: string, code: string): Text => {
    const s = modelOf(model)?.stages.find((x) => x.code === code);
    return s ? { zh: s.name.zh, en: s.name.en } : { zh: code, en: code };
  };
  const byModel = new Map<string, CustomerStageChange[]>();
  for (const c of changes) {
    const list = byModel.get(c.modelId) ?? [];
    list.push(c);
    byModel.set(c.modelId, list);
  }
  const out: CustomerReport['stages'] = [];
  for (const [model, list] of byModel) {
    const history = list.map((c) => ({
      at: c.changedAt.toISOString(),
      from: c.fromStage,
      to: c.toStage,
      ...stageName(model, c.toStage),
      reason: { zh: c.reason, en: c.reasonData.en ?? '' },
      ruleId: c.reasonData.ruleId ?? null,
      wonBack: c.reasonData.wonBack === true,
    }));
    const last = history[history.length - 1];
    const playbook = stored.get(model)?.playbook ?? PRESET_PLAYBOOKS[model];
    const next =
      playbook?.stages[last.to] !== undefined
        ? nextBestAction(last.to, playbook, tier, risk)
        : null;
    out.push({
      model,
      modelName: modelOf(model)
        ? { zh: modelOf(model)!.name.zh, en: modelOf(model)!.name.en }
        : { zh: model, en: model },
      current: {
        stage: last.to,
        zh: last.zh,
        en: last.en,
        since: last.at,
        reason: last.reason,
        ruleId: last.ruleId,
      },
      history,
      nextAction: next && {
        goal: next.goal,
        kpi: next.kpi,
        action: {
          id: next.action.id,
          title: next.action.title,
          channel: next.action.channel,
          timing: next.action.timing,
        },
        reason: next.reason,
      },
    });
  }
  return out;
}

export async function buildCustomerReport(ctx: CliContext, id: string): Promise<CustomerReport> {
  return withDb(ctx, async (db) => {
    const profile = await customerProfile(db, id);
    if (profile === null) {
      throw new NotFoundError(`customer "${id}" does not exist`, { value: id });
    }
    const score = await latestScore(db, id);
    const changes = await customerStageHistory(db, id);
    // the snapshot's tier and warning level as the playbook reads them (one rule: the engine's)
    const tier = playbookTierOfSnapshot(score?.tier);
    const risk = playbookRiskOf(score ?? {});
    const { customerId, ...rest } = profile;
    return {
      customerId,
      profile: rest,
      score: score && {
        asOf: score.asOf,
        model: score.model,
        pAlive: score.pAlive,
        expectedPurchases: score.expectedPurchases,
        horizonDays: score.horizonDays,
        expectedSpend:
          score.expectedSpendMinor === null
            ? null
            : { minor: score.expectedSpendMinor, yuan: score.expectedSpendMinor / 100 },
        clv:
          score.clvMinor === null
            ? null
            : { minor: score.clvMinor, yuan: score.clvMinor / 100, currency: 'CNY' },
        tier: score.tier,
        churnRisk: score.churnRisk,
        warningLevel: score.warningLevel,
      },
      stages: stagesOf(
        changes,
        tier,
        risk,
        new Map((await listStageModels(db)).map((m) => [m.model.key, m])),
      ),
    };
  });
}

const yuan = (x: number): string =>
  `¥${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const day = (iso: string): string => iso.slice(0, 10);

export function describeCustomer(r: CustomerReport): string {
  const p = r.profile;
  const region = [p.province, p.city].filter((x) => x).join(' ') || '—';
  const lines = [
    `客户 customer ${r.customerId}: ${p.name ?? '—'}`,
    `  地区 region: ${region}   负责人 owner: ${p.ownerId ?? '—'}   渠道 channel: ${p.channel ?? '—'}`,
  ];
  if (p.isPlaceholder) lines.push('  (placeholder: created from a transaction or interaction)');
  if (p.erasedAt) lines.push(`  erased on ${p.erasedAt.toISOString().slice(0, 10)}`);
  const s = r.score;
  if (s) {
    const horizon = s.horizonDays === null ? '' : ` in ${s.horizonDays} days`;
    lines.push(
      `  scores as of ${s.asOf} (${s.model}): P(alive) ${s.pAlive === null ? '—' : s.pAlive.toFixed(3)}; expected purchases ${s.expectedPurchases === null ? '—' : s.expectedPurchases.toFixed(2)}${horizon}; CLV ${s.clv ? `${yuan(s.clv.yuan)} (CNY)` : '—'}`,
    );
    if (s.churnRisk !== null) {
      const level = { red: '红色预警 red', orange: '橙色预警 orange', yellow: '黄色预警 yellow' }[
        s.warningLevel ?? ''
      ];
      lines.push(
        `  churn risk ${(s.churnRisk * 100).toFixed(0)} %${level ? ` — ${level}` : ''} (tenure churn lists the reasons)`,
      );
    }
  } else lines.push('  no score snapshot yet (run `tenure analyze`)');
  if (r.stages.length === 0) lines.push('  no lifecycle stage yet (run `tenure analyze`)');
  for (const m of r.stages) {
    lines.push(
      '',
      `  ${m.modelName.zh} ${m.modelName.en}: ${m.current.zh} ${m.current.en} since ${day(m.current.since)}`,
      `    ${m.current.reason.zh}`,
      `    ${m.current.reason.en}`,
      '    history:',
    );
    for (const h of m.history) {
      const from = h.from === null ? '—' : (m.history.find((x) => x.to === h.from)?.zh ?? h.from);
      lines.push(
        `    ${day(h.at)}  ${from} → ${h.zh} ${h.en}${h.wonBack ? ' (挽回 won back)' : ''}`,
      );
      lines.push(`      ${h.reason.zh} / ${h.reason.en}`);
    }
    if (m.nextAction) {
      const a = m.nextAction;
      lines.push(
        `    下一步 next action: ${a.action.title.zh} / ${a.action.title.en} (${a.action.channel}, ${a.action.timing.zh} / ${a.action.timing.en})`,
        `      ${a.reason.zh} / ${a.reason.en}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerCustomer(program: Command, ctx: CliContext): void {
  program
    .command('customer')
    .description(
      "one customer's profile, scores, lifecycle stages and next best action (read-only)",
    )
    .argument('<id>', 'customer id')
    .option('--json', 'print the report as JSON')
    .action(async (id: string, opts) => {
      const report = await buildCustomerReport(ctx, id);
      if (opts.json) printJson(ctx, report);
      else ctx.out.write(describeCustomer(report));
    });
}
