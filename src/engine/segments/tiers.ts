/**
 * Value tiers: the customer pyramid (客户金字塔) of Zeithaml, Rust & Lemon (2001), "The
 * customer pyramid: creating and serving profitable customers", California Management Review
 * 43(4), 118–142. Customers are ranked by value — predicted CLV by default, or historical
 * profit — and cut into platinum / gold / iron / lead (top 1 %, next 4 %, next 15 %, rest by
 * default). Each tier carries its treatment: 屈从型 defer to, 关怀型 care for, 适应型 adapt
 * to, 冷漠型 minimal — the service level and how often to make contact.
 *
 * Cut-offs are either shares of customers (tier k takes round(n · cumulative share) minus the
 * tiers above) or value thresholds (a customer is in the first tier whose minimum it reaches).
 * The order is value descending, then customer id ascending (JavaScript code-unit order), so a
 * tie at a cut-off is decided by id, never by row order.
 */
import { InputError } from '../../errors.js';

export type TierKey = 'platinum' | 'gold' | 'iron' | 'lead';
export type TreatmentKind = 'defer' | 'care' | 'adapt' | 'minimal';
export type TierBasis = 'predicted-clv' | 'historical-profit';

export interface TierTreatment {
  readonly kind: TreatmentKind;
  readonly zh: string;
  readonly en: string;
  readonly serviceLevel: { readonly zh: string; readonly en: string };
  readonly contactCadence: { readonly zh: string; readonly en: string };
}

export interface TierDefinition {
  readonly key: TierKey;
  readonly zh: string;
  readonly en: string;
  readonly treatment: TierTreatment;
}

export const DEFAULT_TIERS: readonly TierDefinition[] = Object.freeze([
  {
    key: 'platinum',
    zh: '铂金',
    en: 'Platinum',
    treatment: {
      kind: 'defer',
      zh: '屈从型',
      en: 'Defer to',
      serviceLevel: {
        zh: '专属客户经理，优先响应，按其要求定制',
        en: 'dedicated account manager, first in line, tailored to their wishes',
      },
      contactCadence: { zh: '每月回访', en: 'a visit every month' },
    },
  },
  {
    key: 'gold',
    zh: '黄金',
    en: 'Gold',
    treatment: {
      kind: 'care',
      zh: '关怀型',
      en: 'Care for',
      serviceLevel: {
        zh: '会员关怀与个性化优惠，培养忠诚',
        en: 'member care and personal offers to build loyalty',
      },
      contactCadence: { zh: '每季度回访', en: 'a visit every quarter' },
    },
  },
  {
    key: 'iron',
    zh: '钢铁',
    en: 'Iron',
    treatment: {
      kind: 'adapt',
      zh: '适应型',
      en: 'Adapt to',
      serviceLevel: {
        zh: '标准服务，按需求推荐以提升价值',
        en: 'standard service; offers matched to needs to raise their value',
      },
      contactCadence: { zh: '每半年回访', en: 'a visit every half year' },
    },
  },
  {
    key: 'lead',
    zh: '铅',
    en: 'Lead',
    treatment: {
      kind: 'minimal',
      zh: '冷漠型',
      en: 'Minimal',
      serviceLevel: {
        zh: '自助与自动化服务，控制服务成本',
        en: 'self-service and automated channels; keep the cost to serve low',
      },
      contactCadence: { zh: '仅自动化触达', en: 'automated messages only' },
    },
  },
] satisfies TierDefinition[]);

export type TierCutoffs =
  /** cumulative shares of customers for all tiers but the last, e.g. [0.01, 0.05, 0.2] */
  | { readonly kind: 'share'; readonly cumulativeShares: readonly number[] }
  /** minimum value of each tier but the last, descending, e.g. [100000, 20000, 2000] */
  | { readonly kind: 'threshold'; readonly minimums: readonly number[] };

export const DEFAULT_TIER_CUTOFFS: TierCutoffs = Object.freeze({
  kind: 'share',
  cumulativeShares: Object.freeze([0.01, 0.05, 0.2]),
});

export interface TierSummary {
  readonly key: TierKey;
  readonly customers: number;
  readonly shareOfCustomers: number;
  readonly totalValue: number;
  /** share of the total value (can exceed 1 when some customers have negative value) */
  readonly shareOfValue: number;
  /** lowest and highest value in the tier (NaN for an empty tier) */
  readonly minValue: number;
  readonly maxValue: number;
}

export interface TierResult {
  readonly basis: TierBasis;
  readonly tiers: readonly TierDefinition[];
  /** index into `tiers` per customer (0 = top) */
  readonly tier: Uint8Array;
  readonly summary: readonly TierSummary[];
}

export interface TierOptions {
  readonly basis?: TierBasis;
  readonly cutoffs?: TierCutoffs;
  readonly tiers?: readonly TierDefinition[];
}

/** Check tier cut-offs: one fewer than the tiers, shares in [0, 1] ascending or minimums descending. */
export function checkTierCutoffs(cutoffs: TierCutoffs, tierCount: number): void {
  const list = cutoffs.kind === 'share' ? cutoffs.cumulativeShares : cutoffs.minimums;
  const field = cutoffs.kind === 'share' ? 'cumulativeShares' : 'minimums';
  if (list.length !== tierCount - 1) {
    throw new InputError(
      `tier cut-offs ${field}: expected ${tierCount - 1} values for ${tierCount} tiers, got ${list.length}`,
      { field },
    );
  }
  for (let k = 0; k < list.length; k++) {
    const v = list[k];
    const bad =
      !Number.isFinite(v) ||
      (cutoffs.kind === 'share' && (v < 0 || v > 1 || (k > 0 && v < list[k - 1]))) ||
      (cutoffs.kind === 'threshold' && k > 0 && v > list[k - 1]);
    if (bad) {
      const want =
        cutoffs.kind === 'share'
          ? 'a share in [0, 1], not below the one before'
          : 'a number not above the one before';
      throw new InputError(`tier cut-offs ${field}[${k}]: expected ${want}, got ${v}`, {
        field,
        value: v,
      });
    }
  }
}

/**
 * Place every customer in a value tier (customer pyramid). `values` is predicted CLV or
 * historical profit per customer; `ids` breaks ties at a cut-off.
 */
export function assignValueTiers(
  values: ArrayLike<number>,
  ids: readonly string[],
  options: TierOptions = {},
): TierResult {
  const tiers = options.tiers ?? DEFAULT_TIERS;
  const cutoffs = options.cutoffs ?? DEFAULT_TIER_CUTOFFS;
  checkTierCutoffs(cutoffs, tiers.length);
  const n = values.length;
  if (ids.length !== n) {
    throw new InputError(
      `value tiers: expected one id per value, got ${n} values and ${ids.length} ids`,
      {
        field: 'ids',
      },
    );
  }
  const tier = new Uint8Array(n);
  const last = tiers.length - 1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InputError(`customer ${ids[i]} value: expected a finite number, got ${values[i]}`, {
        field: 'value',
        value: values[i],
      });
    }
  }
  if (cutoffs.kind === 'threshold') {
    for (let i = 0; i < n; i++) {
      let k = 0;
      while (k < last && values[i] < cutoffs.minimums[k]) k++;
      tier[i] = k;
    }
  } else {
    // descending copy of the values: the value at each cut position and how many lie above it
    const sorted = Float64Array.from(values).sort().reverse();
    tier.fill(last);
    // walk the cuts from the bottom tier up so each customer ends in the highest tier it earns
    for (let k = last - 1; k >= 0; k--) {
      const c = Math.round(n * cutoffs.cumulativeShares[k]);
      if (c === 0) continue;
      const t = sorted[c - 1];
      let above = 0;
      while (above < c && sorted[above] > t) above++;
      const tied: number[] = [];
      for (let i = 0; i < n; i++) {
        if (values[i] > t) tier[i] = k;
        else if (values[i] === t) tied.push(i);
      }
      tied.sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
      for (let j = 0; j < c - above; j++) tier[tied[j]] = k;
    }
  }
  const summary = tiers.map((def, k) => {
    let customers = 0;
    let total = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (tier[i] !== k) continue;
      customers++;
      total += values[i];
      if (values[i] < min) min = values[i];
      if (values[i] > max) max = values[i];
    }
    return { key: def.key, customers, totalValue: total, min, max };
  });
  const grand = summary.reduce((s, t) => s + t.totalValue, 0);
  return Object.freeze({
    basis: options.basis ?? 'predicted-clv',
    tiers,
    tier,
    summary: Object.freeze(
      summary.map((t) =>
        Object.freeze({
          key: t.key,
          customers: t.customers,
          shareOfCustomers: n === 0 ? 0 : t.customers / n,
          totalValue: t.totalValue,
          shareOfValue: grand === 0 ? 0 : t.totalValue / grand,
          minValue: t.customers === 0 ? Number.NaN : t.min,
          maxValue: t.customers === 0 ? Number.NaN : t.max,
        }),
      ),
    ),
  });
}
