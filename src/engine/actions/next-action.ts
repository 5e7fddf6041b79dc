/**
 * Next best action (issue 9 §1; SPEC §7): one action per customer, chosen among candidates by
 * expected value in fen, with the reason in words.
 *
 * Candidates, each with its expected value (EV):
 *   retention   EV = value at risk × retention lift, value at risk = value if retained × churn
 *               risk; value if retained = predicted CLV ÷ P(alive) (the CLV of the BG/NBD family
 *               is P(alive) × the value of an active customer, Fader, Hardie & Lee 2005 eq. 10;
 *               P(alive) floored at 0.1, so at most 10 × CLV); churn risk from the churn model,
 *               1 − P(alive) when it has not run; retention
 *               lift per warning level (the share of the value at risk the action saves). The
 *               action is the stage playbook's urgent one (seed 000: recover the relationship).
 *   cross-sell  EV = confidence × unit margin of the best rule-based suggestion (crosssell.ts) ×
 *               offer response rate (a rule's confidence is about baskets, not about offers).
 *   up-sell     EV = take rate × unit margin of the next price tier in the category.
 *   playbook    EV = predicted CLV × stage lift: the stage's default action (seed 000 playbooks),
 *               for the tier (Zeithaml, Rust & Lemon 2001 treatments).
 *   let go      a churned customer with negative value (seed 000: let the negative-value go): EV 0.
 * The lifts and rates are editable settings (`validateNbaSettings`); the defaults are stated
 * assumptions, to be replaced by the uplift campaigns measure (campaign.ts).
 */
import { InputError } from '../../errors.js';
import {
  type ActionChannel,
  type Bilingual,
  nextBestAction,
  type Playbook,
  type RiskLevel,
  VALUE_TIERS,
  type ValueTier,
} from '../lifecycle/index.js';
import { DEFAULT_TIERS } from '../segments/index.js';
import type { TierName } from './reminders.js';

export interface NbaSettings {
  /** share of the value at risk a retention action saves, per warning level */
  readonly retentionLift: Readonly<Record<RiskLevel, number>>;
  /** churn risk at or above which the level is high / medium (when no warning level is stored) */
  readonly riskThresholds: { readonly high: number; readonly medium: number };
  /** share of cross-sell offers that convert */
  readonly crossSellResponse: number;
  /** probability an up-sell offer is taken */
  readonly upSellTakeRate: number;
  /** expected CLV gain of the stage's default action, as a share of CLV */
  readonly stageLift: number;
  /** cross-sell EV is counted only from this confidence on */
  readonly minCrossSellConfidence: number;
}

export const DEFAULT_NBA_SETTINGS: NbaSettings = Object.freeze({
  retentionLift: Object.freeze({ high: 0.2, medium: 0.1, low: 0.02 }),
  riskThresholds: Object.freeze({ high: 0.7, medium: 0.4 }),
  crossSellResponse: 0.1,
  upSellTakeRate: 0.05,
  stageLift: 0.02,
  minCrossSellConfidence: 0.1,
});

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function share(v: unknown, path: string, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new InputError(`${path}: expected a number from 0 to 1, got ${JSON.stringify(v)}`, {
      field: path,
      value: v,
    });
  }
  return v;
}

/** NBA settings from stored JSON over the defaults; errors name the path. */
export function validateNbaSettings(input: unknown, path = 'nba'): NbaSettings {
  const d = DEFAULT_NBA_SETTINGS;
  if (input === null || input === undefined) return d;
  if (!isRecord(input)) {
    throw new InputError(`${path}: expected an object, got ${JSON.stringify(input)}`, {
      field: path,
    });
  }
  const known = [
    'retentionLift',
    'riskThresholds',
    'crossSellResponse',
    'upSellTakeRate',
    'stageLift',
    'minCrossSellConfidence',
  ];
  for (const k of Object.keys(input)) {
    if (!known.includes(k)) {
      throw new InputError(`${path}.${k}: unknown setting (known: ${known.join(', ')})`, {
        field: `${path}.${k}`,
      });
    }
  }
  const rl = isRecord(input.retentionLift) ? input.retentionLift : {};
  const rt = isRecord(input.riskThresholds) ? input.riskThresholds : {};
  const high = share(rt.high, `${path}.riskThresholds.high`, d.riskThresholds.high);
  const medium = share(rt.medium, `${path}.riskThresholds.medium`, d.riskThresholds.medium);
  if (medium > high) {
    throw new InputError(
      `${path}.riskThresholds: medium (${medium}) must not exceed high (${high})`,
      {
        field: `${path}.riskThresholds`,
      },
    );
  }
  return Object.freeze({
    retentionLift: Object.freeze({
      high: share(rl.high, `${path}.retentionLift.high`, d.retentionLift.high),
      medium: share(rl.medium, `${path}.retentionLift.medium`, d.retentionLift.medium),
      low: share(rl.low, `${path}.retentionLift.low`, d.retentionLift.low),
    }),
    riskThresholds: Object.freeze({ high, medium }),
    crossSellResponse: share(
      input.crossSellResponse,
      `${path}.crossSellResponse`,
      d.crossSellResponse,
    ),
    upSellTakeRate: share(input.upSellTakeRate, `${path}.upSellTakeRate`, d.upSellTakeRate),
    stageLift: share(input.stageLift, `${path}.stageLift`, d.stageLift),
    minCrossSellConfidence: share(
      input.minCrossSellConfidence,
      `${path}.minCrossSellConfidence`,
      d.minCrossSellConfidence,
    ),
  });
}

export interface NbaCustomer {
  readonly customerId: string;
  readonly ownerId: string | null;
  /** current stage code of the playbook's model; null: no stage yet */
  readonly stage: string | null;
  readonly tier: TierName | null;
  readonly clvMinor: number | null;
  readonly pAlive: number | null;
  /** the churn model's risk; null when it has not run */
  readonly churnRisk: number | null;
  readonly warningLevel: string | null;
  readonly crossSell: {
    readonly sku: string;
    readonly name: string | null;
    readonly confidence: number;
    readonly because: readonly string[];
    readonly expectedMarginMinor: number;
  } | null;
  readonly upSell: {
    readonly sku: string;
    readonly name: string | null;
    readonly unitMarginMinor: number;
  } | null;
}

export type NbaKind = 'retention' | 'cross-sell' | 'up-sell' | 'playbook' | 'let-go';

export interface NextAction {
  readonly customerId: string;
  readonly ownerId: string | null;
  readonly kind: NbaKind;
  readonly title: Bilingual;
  readonly channel: ActionChannel;
  readonly reason: Bilingual;
  /** expected value of doing it, fen */
  readonly expectedValueMinor: number;
  readonly stage: string | null;
  readonly tier: TierName | null;
  readonly risk: number | null;
  readonly riskLevel: RiskLevel | null;
  /** the playbook action or product behind it */
  readonly ref: string | null;
}

const PLAYBOOK_TIER: Record<TierName, ValueTier> = {
  platinum: 'high',
  gold: 'high',
  iron: 'medium',
  lead: 'low',
};
/** The playbook's value tier of a pyramid tier (platinum and gold high, iron medium, lead low). */
export function playbookTierOf(tier: string | null | undefined): ValueTier | undefined {
  return tier && Object.hasOwn(PLAYBOOK_TIER, tier) ? PLAYBOOK_TIER[tier as TierName] : undefined;
}

const RISK_NAME: Record<RiskLevel, Bilingual> = {
  high: { zh: '高', en: 'high' },
  medium: { zh: '中', en: 'medium' },
  low: { zh: '低', en: 'low' },
};
/**
 * The churn model's warning levels (src/engine/churn/warning.ts) as playbook risk levels: red is
 * high; orange and yellow medium (a yellow warning has already raised an alert and a task);
 * the playbook's own names pass through.
 */
const WARNING_RISK: Readonly<Record<string, RiskLevel>> = {
  red: 'high',
  orange: 'medium',
  yellow: 'medium',
  high: 'high',
  medium: 'medium',
  low: 'low',
};

/**
 * A customer's risk as the playbook reads it — one rule for the next best action, the 360 and
 * `tenure customer`: the stored warning level when there is one; otherwise the churn risk (or,
 * before the churn model has run, 1 − P(alive)) against the thresholds; nothing known, undefined.
 */
export function playbookRiskOf(
  s: { warningLevel?: string | null; churnRisk?: number | null; pAlive?: number | null },
  thresholds: NbaSettings['riskThresholds'] = DEFAULT_NBA_SETTINGS.riskThresholds,
): RiskLevel | undefined {
  if (s.warningLevel && Object.hasOwn(WARNING_RISK, s.warningLevel)) {
    return WARNING_RISK[s.warningLevel];
  }
  const risk =
    s.churnRisk ?? (s.pAlive === null || s.pAlive === undefined ? undefined : 1 - s.pAlive);
  if (risk === undefined) return undefined;
  return risk >= thresholds.high ? 'high' : risk >= thresholds.medium ? 'medium' : 'low';
}

/** A snapshot's tier (pyramid platinum … lead, or already a playbook tier) as the playbook's. */
export function playbookTierOfSnapshot(tier: string | null | undefined): ValueTier | undefined {
  return (VALUE_TIERS as readonly string[]).includes(tier ?? '')
    ? (tier as ValueTier)
    : playbookTierOf(tier);
}
const yuan = (minor: number): string => `¥${(minor / 100).toFixed(0)}`;

/** The one action for a customer (see the header for the candidates and their values). */
export function chooseNextAction(
  c: NbaCustomer,
  playbook: Playbook | null,
  settings: NbaSettings = DEFAULT_NBA_SETTINGS,
): NextAction {
  const clv = c.clvMinor ?? 0;
  const risk = c.churnRisk ?? (c.pAlive === null ? null : 1 - c.pAlive);
  const riskLevel: RiskLevel | null = playbookRiskOf(c, settings.riskThresholds) ?? null;
  const valueTier: ValueTier | undefined =
    clv < 0 ? 'negative' : c.tier === null ? undefined : PLAYBOOK_TIER[c.tier];
  const tierDef = DEFAULT_TIERS.find((t) => t.key === c.tier);
  const context: Bilingual = {
    zh: [
      c.stage && playbook?.stages[c.stage] ? `阶段目标：${playbook.stages[c.stage].goal.zh}` : null,
      tierDef
        ? `${tierDef.zh}客户（${tierDef.treatment.zh}：${tierDef.treatment.serviceLevel.zh}）`
        : null,
      risk === null
        ? null
        : `流失风险 ${(risk * 100).toFixed(0)}%（${RISK_NAME[riskLevel as RiskLevel].zh}）`,
    ]
      .filter(Boolean)
      .join('；'),
    en: [
      c.stage && playbook?.stages[c.stage]
        ? `stage goal: ${playbook.stages[c.stage].goal.en}`
        : null,
      tierDef
        ? `${tierDef.en} customer (${tierDef.treatment.en}: ${tierDef.treatment.serviceLevel.en})`
        : null,
      risk === null
        ? null
        : `churn risk ${(risk * 100).toFixed(0)}% (${RISK_NAME[riskLevel as RiskLevel].en})`,
    ]
      .filter(Boolean)
      .join('; '),
  };
  const base = {
    customerId: c.customerId,
    ownerId: c.ownerId,
    stage: c.stage,
    tier: c.tier,
    risk,
    riskLevel,
  };
  const join = (a: string, b: string, sep: string): string => (a && b ? `${a}${sep}${b}` : a || b);
  const personal: ActionChannel = c.tier === 'platinum' || c.tier === 'gold' ? 'call' : 'sms';

  if (c.stage === 'churned' && clv <= 0) {
    return Object.freeze({
      ...base,
      kind: 'let-go',
      title: { zh: '不再投入挽回', en: 'Let go: no win-back spend' },
      channel: 'none',
      reason: {
        zh: join('已流失且预测价值不为正，按剧本放弃负价值客户', context.zh, '；'),
        en: join(
          'churned with no positive predicted value: the playbook lets the negative-value go',
          context.en,
          '; ',
        ),
      },
      expectedValueMinor: 0,
      ref: null,
    });
  }

  const candidates: NextAction[] = [];
  const play = c.stage !== null && playbook?.stages[c.stage] !== undefined;
  if (risk !== null && riskLevel !== null && clv > 0) {
    const retained = clv / Math.max(c.pAlive ?? 1, 0.1);
    const atRisk = retained * risk;
    const ev = Math.round(atRisk * settings.retentionLift[riskLevel]);
    const pick = play
      ? nextBestAction(c.stage as string, playbook as Playbook, valueTier, 'high')
      : null;
    // the playbook may say to spend nothing on this customer (channel none): no retention effort
    if (pick?.action.channel !== 'none')
      candidates.push({
        ...base,
        kind: 'retention',
        title: pick?.action.title ?? { zh: '主动联系挽留', en: 'Reach out to retain' },
        channel: pick?.action.channel ?? personal,
        reason: {
          zh: join(
            `风险价值 ${yuan(atRisk)} × 挽留提升 ${(settings.retentionLift[riskLevel] * 100).toFixed(0)}%`,
            context.zh,
            '；',
          ),
          en: join(
            `value at risk ${yuan(atRisk)} × retention lift ${(settings.retentionLift[riskLevel] * 100).toFixed(0)}%`,
            context.en,
            '; ',
          ),
        },
        expectedValueMinor: ev,
        ref: pick?.action.id ?? null,
      });
  }
  if (c.crossSell && c.crossSell.confidence >= settings.minCrossSellConfidence) {
    const s = c.crossSell;
    const ev = Math.round(s.expectedMarginMinor * settings.crossSellResponse);
    candidates.push({
      ...base,
      kind: 'cross-sell',
      title: { zh: `推荐 ${s.name ?? s.sku}`, en: `Offer ${s.name ?? s.sku}` },
      channel: personal,
      reason: {
        zh: join(
          `买过 ${s.because.join('+')} 的订单有 ${(s.confidence * 100).toFixed(0)}% 同时购买，预期毛利 ${yuan(s.expectedMarginMinor)} × 响应率 ${(settings.crossSellResponse * 100).toFixed(0)}%`,
          context.zh,
          '；',
        ),
        en: join(
          `${(s.confidence * 100).toFixed(0)}% of baskets with ${s.because.join('+')} also hold it; expected margin ${yuan(s.expectedMarginMinor)} × response ${(settings.crossSellResponse * 100).toFixed(0)}%`,
          context.en,
          '; ',
        ),
      },
      expectedValueMinor: ev,
      ref: s.sku,
    });
  }
  if (c.upSell) {
    const u = c.upSell;
    const ev = Math.round(u.unitMarginMinor * settings.upSellTakeRate);
    candidates.push({
      ...base,
      kind: 'up-sell',
      title: { zh: `升级推荐 ${u.name ?? u.sku}`, en: `Up-sell ${u.name ?? u.sku}` },
      channel: personal,
      reason: {
        zh: join(
          `同品类更高档次，毛利 ${yuan(u.unitMarginMinor)} × 接受率 ${(settings.upSellTakeRate * 100).toFixed(0)}%`,
          context.zh,
          '；',
        ),
        en: join(
          `next price tier of the category: margin ${yuan(u.unitMarginMinor)} × take rate ${(settings.upSellTakeRate * 100).toFixed(0)}%`,
          context.en,
          '; ',
        ),
      },
      expectedValueMinor: ev,
      ref: u.sku,
    });
  }
  if (play) {
    const pick = nextBestAction(
      c.stage as string,
      playbook as Playbook,
      valueTier,
      riskLevel ?? undefined,
    );
    candidates.push({
      ...base,
      kind: 'playbook',
      title: pick.action.title,
      channel: pick.action.channel,
      reason: {
        zh: join(pick.reason.zh, context.zh, '；'),
        en: join(pick.reason.en, context.en, '; '),
      },
      expectedValueMinor:
        pick.action.channel === 'none' ? 0 : Math.round(Math.max(clv, 0) * settings.stageLift),
      ref: pick.action.id,
    });
  }
  if (candidates.length === 0) {
    return Object.freeze({
      ...base,
      kind: 'playbook',
      title: { zh: '完善客户档案', en: 'Complete the customer profile' },
      channel: 'none',
      reason: {
        zh: join('尚无阶段、评分或推荐可依据', context.zh, '；'),
        en: join('no stage, score or suggestion to act on yet', context.en, '; '),
      },
      expectedValueMinor: 0,
      ref: null,
    });
  }
  // highest EV; ties keep the order above (retention before selling)
  let best = candidates[0];
  for (const x of candidates) if (x.expectedValueMinor > best.expectedValueMinor) best = x;
  return Object.freeze(best);
}

/**
 * An upper bound of the expected value `chooseNextAction` gives, in two parts: one from what
 * the database holds per customer (CLV, P(alive), churn risk: `customerValueBound`), and one
 * the same for everyone (`selling`: from the catalogue's largest unit margin). The work queue
 * ranks every customer by the bound in SQL and chooses actions only for the best few
 * (src/store/next-action-repo.ts); the bound must never be below the value chosen. Per
 * candidate of `chooseNextAction`:
 *  - retention: clv / max(pAlive ?? 1, 0.1) × risk × lift[level] ≤ the same × the largest lift;
 *  - playbook: max(clv, 0) × stageLift;
 *  - cross-sell: round(round(confidence × margin) × response) ≤ largest margin × response + 1;
 *  - up-sell: round(margin × take rate) ≤ largest margin × take rate + 1;
 * each +1 for the rounding to whole fen.
 */
export interface ValueBound {
  readonly retentionLift: number;
  readonly stageLift: number;
  readonly selling: number;
}

export function valueBound(settings: NbaSettings, largestUnitMarginMinor: number): ValueBound {
  return {
    retentionLift: Math.max(...Object.values(settings.retentionLift)),
    stageLift: settings.stageLift,
    selling:
      Math.max(0, largestUnitMarginMinor) *
        Math.max(settings.crossSellResponse, settings.upSellTakeRate) +
      1,
  };
}

/** The customer part of `ValueBound` (the SQL in `workQueue` computes the same). */
export function customerValueBound(
  b: ValueBound,
  c: Pick<NbaCustomer, 'clvMinor' | 'pAlive' | 'churnRisk'>,
): number {
  const clv = c.clvMinor ?? 0;
  if (clv <= 0) return 0;
  const risk = c.churnRisk ?? (c.pAlive === null ? 0 : 1 - c.pAlive);
  return (
    Math.max((clv / Math.max(c.pAlive ?? 1, 0.1)) * risk * b.retentionLift, clv * b.stageLift) + 1
  );
}
