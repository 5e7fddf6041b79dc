/**
 * Stage playbooks as editable data (issue 4 part 5; SPEC §3 "Stage playbooks", seed 000): for
 * each stage of each preset a goal, recommended actions (channel, timing, for which value
 * tiers), and the KPI that says whether it works, in zh-CN and English.
 *
 * Seeded from SPEC §3: exploration → build trust (fast service, sound first experience);
 * formation → satisfaction (complete the profile, personalise, communicate); stability →
 * loyalty and exit barriers, lower cost-to-serve; decline → recover the relationship,
 * compensate failures, find the cause; churned → win back the valuable, let go of the
 * negative-value. Presets share these by stage role; the telecom and contact models add their own
 * wording where the stage means something else (休眠 dormancy, 忠诚 loyalty).
 */
import { InputError } from '../../errors.js';
import type { Bilingual, StageModel, StageRole } from './model.js';
import { PRESET_MODELS } from './model.js';

export type ActionChannel =
  | 'call'
  | 'sms'
  | 'email'
  | 'wechat'
  | 'visit'
  | 'in_store'
  | 'app'
  | 'none';

export type ValueTier = 'high' | 'medium' | 'low' | 'negative';
export type RiskLevel = 'low' | 'medium' | 'high';

export interface PlaybookAction {
  readonly id: string;
  readonly title: Bilingual;
  readonly channel: ActionChannel;
  readonly timing: Bilingual;
  /** value tiers this action is for; absent = everyone */
  readonly tiers?: readonly ValueTier[];
  /** preferred when the customer's churn risk is high */
  readonly urgent?: boolean;
}

export interface StagePlay {
  readonly goal: Bilingual;
  readonly kpi: Bilingual;
  /** in order of preference */
  readonly actions: readonly PlaybookAction[];
}

export interface Playbook {
  readonly modelKey: string;
  /** one play per stage code of the model */
  readonly stages: Readonly<Record<string, StagePlay>>;
}

const b = (zh: string, en: string): Bilingual => ({ zh, en });

const BY_ROLE: Record<StageRole, StagePlay> = {
  prospect: {
    goal: b('促成首次购买', 'Win the first purchase'),
    kpi: b('潜在客户首购转化率', 'Prospect-to-first-purchase conversion'),
    actions: [
      {
        id: 'prospect-welcome-offer',
        title: b('发送首单欢迎礼', 'Send a first-order welcome offer'),
        channel: 'sms',
        timing: b('注册后 3 天内', 'within 3 days of sign-up'),
      },
      {
        id: 'prospect-consult',
        title: b('顾问电话了解需求', 'Adviser call to understand needs'),
        channel: 'call',
        timing: b('注册后 7 天内', 'within 7 days of sign-up'),
        tiers: ['high'],
      },
    ],
  },
  exploration: {
    goal: b(
      '建立信任：快速服务、良好的首次体验',
      'Build trust: fast service and a sound first experience',
    ),
    kpi: b('第二次购买率与首单满意度', 'Second-purchase rate and first-order satisfaction'),
    actions: [
      {
        id: 'exploration-quick-resolve',
        title: b('24 小时内解决首单问题', 'Resolve any first-order issue within 24 hours'),
        channel: 'call',
        timing: b('出现问题当天', 'the day an issue appears'),
        urgent: true,
      },
      {
        id: 'exploration-first-experience',
        title: b('首单回访，确认使用体验', 'Follow up the first order and check the experience'),
        channel: 'call',
        timing: b('首单后 3–7 天', '3–7 days after the first order'),
        tiers: ['high', 'medium'],
      },
      {
        id: 'exploration-guide',
        title: b('发送使用指南与服务承诺', 'Send a how-to guide and the service promise'),
        channel: 'sms',
        timing: b('首单后 1 天', '1 day after the first order'),
      },
    ],
  },
  formation: {
    goal: b(
      '提升满意度：完善档案、个性化、持续沟通',
      'Raise satisfaction: complete the profile, personalise, communicate',
    ),
    kpi: b('购买频次与客单价增长', 'Growth of purchase frequency and order value'),
    actions: [
      {
        id: 'formation-save',
        title: b('主动联系，了解不满意的原因', 'Reach out to find what is going wrong'),
        channel: 'call',
        timing: b('风险上升后 3 天内', 'within 3 days of rising risk'),
        urgent: true,
      },
      {
        id: 'formation-profile',
        title: b('完善客户档案与偏好', 'Complete the profile and preferences'),
        channel: 'wechat',
        timing: b('第 2–3 次购买后', 'after the 2nd–3rd purchase'),
      },
      {
        id: 'formation-personalise',
        title: b('按偏好推荐相关商品', 'Recommend related products by preference'),
        channel: 'app',
        timing: b('按客户自身购买周期', "on the customer's own purchase rhythm"),
      },
    ],
  },
  stability: {
    goal: b(
      '巩固忠诚、建立转换壁垒、降低服务成本',
      'Deepen loyalty, build exit barriers, lower cost-to-serve',
    ),
    kpi: b('留存率与单位服务成本', 'Retention rate and cost-to-serve'),
    actions: [
      {
        id: 'stability-check-in',
        title: b('客户经理关怀回访', 'Account manager check-in'),
        channel: 'call',
        timing: b('风险上升后 7 天内', 'within 7 days of rising risk'),
        urgent: true,
        tiers: ['high', 'medium'],
      },
      {
        id: 'stability-membership',
        title: b('邀请加入会员等级与专属权益', 'Invite to membership tiers and exclusive benefits'),
        channel: 'wechat',
        timing: b('进入稳定期时', 'on reaching stability'),
        tiers: ['high', 'medium'],
      },
      {
        id: 'stability-self-service',
        title: b('引导使用自助服务渠道', 'Move routine service to self-service'),
        channel: 'app',
        timing: b('下次服务请求时', 'at the next service request'),
      },
    ],
  },
  decline: {
    goal: b(
      '挽回关系：补偿失误、查明原因',
      'Recover the relationship: compensate failures, find the cause',
    ),
    kpi: b('退化客户恢复率', 'Share of declining customers recovered'),
    actions: [
      {
        id: 'decline-manager-call',
        title: b(
          '客户经理致电了解原因并补偿',
          'Account manager calls to learn the cause and compensate',
        ),
        channel: 'call',
        timing: b('进入退化期 3 天内', 'within 3 days of entering decline'),
        tiers: ['high', 'medium'],
        urgent: true,
      },
      {
        id: 'decline-survey',
        title: b('发送简短满意度调查', 'Send a short satisfaction survey'),
        channel: 'sms',
        timing: b('进入退化期 7 天内', 'within 7 days of entering decline'),
      },
      {
        id: 'decline-tailored-offer',
        title: b('按原购买周期发送专属优惠', "Send a tailored offer on the customer's old rhythm"),
        channel: 'sms',
        timing: b('下一次预期购买日前', 'before the next expected purchase date'),
        tiers: ['high', 'medium', 'low'],
      },
    ],
  },
  churned: {
    goal: b(
      '挽回有价值的客户，放弃负价值客户',
      'Win back the valuable, let go of the negative-value',
    ),
    kpi: b(
      '有价值流失客户的挽回率与挽回成本',
      'Win-back rate of valuable churned customers and its cost',
    ),
    actions: [
      {
        id: 'churned-win-back-call',
        title: b('专人致电挽回并提供回归礼', 'Personal win-back call with a return offer'),
        channel: 'call',
        timing: b('流失后 30 天内', 'within 30 days of churn'),
        tiers: ['high'],
      },
      {
        id: 'churned-win-back-sms',
        title: b('发送回归优惠', 'Send a come-back offer'),
        channel: 'sms',
        timing: b('流失后 30–90 天', '30–90 days after churn'),
        tiers: ['medium'],
      },
      {
        id: 'churned-let-go',
        title: b('不再投入营销资源', 'Spend no more marketing on this customer'),
        channel: 'none',
        timing: b('立即', 'now'),
        tiers: ['low', 'negative'],
      },
    ],
  },
};

const TELECOM_DORMANCY: StagePlay = {
  goal: b('唤醒休眠用户，防止销户', 'Wake dormant subscribers before they cancel'),
  kpi: b('休眠用户激活率', 'Dormant-subscriber reactivation rate'),
  actions: [
    {
      id: 'dormancy-retention-offer',
      title: b('提供套餐优化或保号优惠', 'Offer a better-fitting plan or a retention discount'),
      channel: 'call',
      timing: b('合约到期前 60 天', '60 days before the contract ends'),
      urgent: true,
      tiers: ['high', 'medium'],
    },
    {
      id: 'dormancy-usage-reminder',
      title: b('推送流量与权益使用提醒', 'Remind of unused data and benefits'),
      channel: 'sms',
      timing: b('每月账单日', 'on each monthly bill date'),
    },
  ],
};

const CONTACT_LOYALTY: StagePlay = {
  goal: b('把忠诚客户变成推荐者', 'Turn loyal customers into advocates'),
  kpi: b('推荐带来的新客户数', 'New customers referred'),
  actions: [
    {
      id: 'loyalty-referral',
      title: b('邀请参加推荐有礼', 'Invite to the referral programme'),
      channel: 'wechat',
      timing: b('满意度调查高分后', 'after a high satisfaction score'),
    },
    {
      id: 'loyalty-vip-service',
      title: b('提供专属客服通道', 'Give a dedicated service line'),
      channel: 'call',
      timing: b('进入忠诚阶段时', 'on reaching loyalty'),
      tiers: ['high'],
    },
  ],
};

function fromRoles(model: StageModel, overrides: Record<string, StagePlay> = {}): Playbook {
  const stages: Record<string, StagePlay> = {};
  for (const s of model.stages) stages[s.code] = overrides[s.code] ?? BY_ROLE[s.role];
  return { modelKey: model.key, stages };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The shipped playbook of each preset stage model, keyed like `PRESET_MODELS`. */
export const PRESET_PLAYBOOKS: Readonly<Record<string, Playbook>> = deepFreeze({
  relationship: fromRoles(PRESET_MODELS.relationship),
  telecom: fromRoles(PRESET_MODELS.telecom, { dormancy: TELECOM_DORMANCY }),
  contact: fromRoles(PRESET_MODELS.contact, { loyalty: CONTACT_LOYALTY }),
  'six-stage': fromRoles(PRESET_MODELS['six-stage']),
});

export const ACTION_CHANNELS: readonly ActionChannel[] = Object.freeze([
  'call',
  'sms',
  'email',
  'wechat',
  'visit',
  'in_store',
  'app',
  'none',
]);
export const VALUE_TIERS: readonly ValueTier[] = Object.freeze([
  'high',
  'medium',
  'low',
  'negative',
]);

function fail(path: string, expected: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  throw new InputError(`${path}: expected ${expected}, got ${shown}`, { field: path, value: got });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function text(v: unknown, path: string): Bilingual {
  if (!isRecord(v)) fail(path, 'an object with zh and en', v);
  for (const k of ['zh', 'en'] as const) {
    if (typeof v[k] !== 'string' || v[k] === '') fail(`${path}.${k}`, 'a non-empty string', v[k]);
  }
  return { zh: v.zh as string, en: v.en as string };
}

function action(v: unknown, path: string): PlaybookAction {
  if (!isRecord(v)) fail(path, 'an action object', v);
  if (typeof v.id !== 'string' || v.id === '') fail(`${path}.id`, 'a non-empty id', v.id);
  if (!ACTION_CHANNELS.includes(v.channel as ActionChannel)) {
    fail(`${path}.channel`, `one of ${ACTION_CHANNELS.join(', ')}`, v.channel);
  }
  const out: {
    id: string;
    title: Bilingual;
    channel: ActionChannel;
    timing: Bilingual;
    tiers?: ValueTier[];
    urgent?: boolean;
  } = {
    id: v.id,
    title: text(v.title, `${path}.title`),
    channel: v.channel as ActionChannel,
    timing: text(v.timing, `${path}.timing`),
  };
  if (v.tiers !== undefined) {
    if (!Array.isArray(v.tiers) || v.tiers.length === 0) {
      fail(`${path}.tiers`, 'a non-empty list of value tiers', v.tiers);
    }
    v.tiers.forEach((t: unknown, i: number) => {
      if (!VALUE_TIERS.includes(t as ValueTier)) {
        fail(`${path}.tiers.${i}`, `one of ${VALUE_TIERS.join(', ')}`, t);
      }
    });
    out.tiers = v.tiers as ValueTier[];
  }
  if (v.urgent !== undefined) {
    if (typeof v.urgent !== 'boolean') fail(`${path}.urgent`, 'true or false', v.urgent);
    out.urgent = v.urgent;
  }
  return out;
}

/**
 * Check an edited playbook (untrusted data) against its model: one play for every stage and no
 * others, each with a goal, a KPI and at least one well-formed action. Throws `InputError` with
 * the path, e.g. `playbooks.relationship.stages.decline.actions.0.channel: expected one of …`.
 */
export function validatePlaybook(model: StageModel, input: unknown, path = 'playbook'): Playbook {
  if (!isRecord(input)) fail(path, 'a playbook object', input);
  if (input.modelKey !== model.key) fail(`${path}.modelKey`, `"${model.key}"`, input.modelKey);
  const stages = input.stages;
  if (!isRecord(stages)) fail(`${path}.stages`, 'an object keyed by stage code', stages);
  const codes = model.stages.map((s) => s.code);
  for (const code of Object.keys(stages)) {
    if (!codes.includes(code)) {
      fail(
        `${path}.stages.${code}`,
        `a stage code of model ${model.key} (one of ${codes.join(', ')})`,
        code,
      );
    }
  }
  const out: Record<string, StagePlay> = {};
  for (const code of codes) {
    const p = `${path}.stages.${code}`;
    const play = stages[code];
    if (!isRecord(play)) fail(p, 'a play for this stage', play);
    if (!Array.isArray(play.actions) || play.actions.length === 0) {
      fail(`${p}.actions`, 'at least one action', Array.isArray(play.actions) ? 0 : play.actions);
    }
    const ids = new Set<string>();
    const actions = play.actions.map((a: unknown, i: number) => {
      const checked = action(a, `${p}.actions.${i}`);
      if (ids.has(checked.id))
        fail(`${p}.actions.${i}.id`, 'an id not used earlier in the stage', checked.id);
      ids.add(checked.id);
      return checked;
    });
    out[code] = { goal: text(play.goal, `${p}.goal`), kpi: text(play.kpi, `${p}.kpi`), actions };
  }
  return deepFreeze({ modelKey: model.key, stages: out });
}

export interface NextBestAction {
  readonly stage: string;
  readonly goal: Bilingual;
  readonly kpi: Bilingual;
  readonly action: PlaybookAction;
  readonly reason: Bilingual;
}

const TIER_NAMES: Record<ValueTier, Bilingual> = {
  high: b('高价值', 'high-value'),
  medium: b('中等价值', 'medium-value'),
  low: b('低价值', 'low-value'),
  negative: b('负价值', 'negative-value'),
};

/**
 * One action for a customer in `stage`: the first action of the stage's play meant for the
 * customer's value tier (all tiers when unknown), preferring an urgent one when the churn risk
 * is high. Throws `InputError` for a stage the playbook does not cover.
 */
export function nextBestAction(
  stage: string,
  playbook: Playbook,
  tier?: ValueTier,
  risk?: RiskLevel,
): NextBestAction {
  const play = playbook.stages[stage];
  if (play === undefined) {
    throw new InputError(
      `stage: expected one of ${Object.keys(playbook.stages).join(', ')}, got ${JSON.stringify(stage)}`,
      { field: 'stage', value: stage },
    );
  }
  const fits = play.actions.filter(
    (a) => tier === undefined || a.tiers === undefined || a.tiers.includes(tier),
  );
  const pool = fits.length > 0 ? fits : play.actions;
  const urgent = risk === 'high' ? pool.find((a) => a.urgent === true) : undefined;
  const action = urgent ?? pool.find((a) => a.urgent !== true) ?? pool[0];
  const zh = [`阶段目标：${play.goal.zh}`];
  const en = [`stage goal: ${play.goal.en}`];
  if (tier !== undefined && action.tiers !== undefined) {
    zh.push(`适用于${TIER_NAMES[tier].zh}客户`);
    en.push(`suited to ${TIER_NAMES[tier].en} customers`);
  }
  if (urgent !== undefined) {
    zh.push('流失风险高，优先采取紧急行动');
    en.push('churn risk is high, so the urgent action comes first');
  }
  return Object.freeze({
    stage,
    goal: play.goal,
    kpi: play.kpi,
    action,
    reason: { zh: zh.join('；'), en: en.join('; ') },
  });
}
