/**
 * Display names of the engine's codes (stages, RFM segments, tiers, archetypes). The server
 * sends codes; the names are the engine's own (src/engine/lifecycle/model.ts,
 * src/engine/segments/*), repeated here because the web app imports no runtime code from src/.
 */
import { currentLang } from './format.js';

type Names = Record<string, { zh: string; en: string; colour?: string }>;

export const STAGES: Names = {
  prospect: { zh: '潜在', en: 'Prospect', colour: '#9ca3af' },
  exploration: { zh: '考察期', en: 'Exploration', colour: '#60a5fa' },
  formation: { zh: '形成期', en: 'Formation', colour: '#34d399' },
  stability: { zh: '稳定期', en: 'Stability', colour: '#059669' },
  decline: { zh: '退化期', en: 'Decline', colour: '#f59e0b' },
  churned: { zh: '流失', en: 'Churned', colour: '#dc2626' },
  acquisition: { zh: '引入', en: 'Acquisition', colour: '#60a5fa' },
  growth: { zh: '成长', en: 'Growth', colour: '#34d399' },
  maturity: { zh: '成熟', en: 'Maturity', colour: '#059669' },
  dormancy: { zh: '休眠', en: 'Dormancy', colour: '#f59e0b' },
  churn: { zh: '流失', en: 'Churn', colour: '#dc2626' },
  potential: { zh: '潜在', en: 'Potential', colour: '#9ca3af' },
  development: { zh: '开发', en: 'Development', colour: '#60a5fa' },
  termination: { zh: '终止', en: 'Termination', colour: '#dc2626' },
};

export const RFM_SEGMENTS: Names = {
  champions: { zh: '冠军客户', en: 'Champions' },
  loyal: { zh: '忠诚客户', en: 'Loyal' },
  'potential-loyalist': { zh: '潜在忠诚客户', en: 'Potential loyalist' },
  new: { zh: '新客户', en: 'New' },
  promising: { zh: '有潜力客户', en: 'Promising' },
  'need-attention': { zh: '需要关注客户', en: 'Need attention' },
  'about-to-sleep': { zh: '即将沉睡客户', en: 'About to sleep' },
  'at-risk': { zh: '有流失风险客户', en: 'At risk' },
  'cant-lose': { zh: '不能失去的客户', en: "Can't lose" },
  hibernating: { zh: '休眠客户', en: 'Hibernating' },
  lost: { zh: '已流失客户', en: 'Lost' },
};

export const TIERS: Names = {
  platinum: { zh: '铂金', en: 'Platinum', colour: '#6d28d9' },
  gold: { zh: '黄金', en: 'Gold', colour: '#b45309' },
  iron: { zh: '钢铁', en: 'Iron', colour: '#475569' },
  lead: { zh: '铅', en: 'Lead', colour: '#9ca3af' },
  high: { zh: '高价值', en: 'High value' },
  medium: { zh: '中等价值', en: 'Medium value' },
  low: { zh: '低价值', en: 'Low value' },
  negative: { zh: '负价值', en: 'Negative value' },
  unassigned: { zh: '未分级', en: 'Not tiered' },
};

export const ARCHETYPES: Names = {
  'value-elite': { zh: '价值贵族', en: 'Value elite' },
  'high-potential': { zh: '潜力蓝海', en: 'High potential' },
  'silent-majority': { zh: '沉默大众', en: 'Silent majority' },
  'churn-risk': { zh: '流失风险', en: 'Churn risk' },
  'one-off': { zh: '交易过客', en: 'One-off transactors' },
};

export function nameOf(table: Names, code: string | null | undefined): string {
  if (!code) return '—';
  const n = table[code];
  if (!n) return code;
  return currentLang() === 'en' ? n.en : n.zh;
}

export const stageName = (code: string | null | undefined) => nameOf(STAGES, code);
export const tierName = (code: string | null | undefined) => nameOf(TIERS, code);
export const rfmName = (code: string | null | undefined) => nameOf(RFM_SEGMENTS, code);
export const archetypeName = (code: string | null | undefined) => nameOf(ARCHETYPES, code);
export const stageColour = (code: string | null | undefined) =>
  (code && STAGES[code]?.colour) || '#64748b';

/** A localised {zh, en} pair or a plain string. */
export function localised(v: unknown): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const s = currentLang() === 'en' ? (o.en ?? o.zh) : (o.zh ?? o.en);
    if (typeof s === 'string') return s;
  }
  return String(v);
}
