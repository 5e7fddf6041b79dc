/**
 * Customer clusters: behaviour and value features standardised, clustered with k-means (k chosen
 * by silhouette, kmeans.ts), each cluster profiled and labelled with the seed-004 archetype it
 * fits — 价值贵族 value elite, 潜力蓝海 high potential, 沉默大众 silent majority, 流失风险 churn
 * risk, 交易过客 one-off transactors — or "other", with the reason in words.
 *
 * Scaling: a feature marked skewed (spend, CLV, frequency) is first mapped by the signed
 * log1p, sign(v) · log(1 + |v|), then every feature is standardised to z = (v − mean) / sd over
 * all customers (a constant feature becomes 0). Profiles give each cluster's raw means and its
 * mean z per feature, i.e. how many population standard deviations it sits from the average.
 *
 * Archetype rules on a cluster's mean z (a role missing from the features is not tested; an
 * archetype fits when at least two of its tests pass, except silent majority):
 *   value elite      monetary or CLV z ≥ +0.5 and frequency z ≥ +0.5
 *   high potential   recency z ≤ −0.3 (recent), tenure z ≤ −0.3 (young), trend z ≥ +0.3 (rising)
 *   churn risk       P(alive) z ≤ −0.5, recency z ≥ +0.5 (long ago), complaints z ≥ +0.5,
 *                    trend z ≤ −0.5 (spend falling)
 *   one-off          mean orders ≤ 1.5 (frequency ≈ 1) and recency z ≥ +0.3
 *   silent majority  every feature within ±0.5 and frequency / engagement z ≤ 0
 * When several fit, the one whose tests are passed by the widest mean margin wins.
 */
import { InputError } from '../../errors.js';
import { type KMeansOptions, type KSelection, kmeans, kmeansChooseK } from './kmeans.js';

export type FeatureRole =
  | 'monetary'
  | 'clv'
  | 'frequency'
  | 'recency'
  | 'tenure'
  | 'trend'
  | 'p-alive'
  | 'complaints'
  | 'engagement'
  | 'other';

export interface ClusterFeature {
  readonly name: string;
  readonly role: FeatureRole;
  /** per customer; frequency is the number of orders (≥ 1), recency days since the last one */
  readonly values: ArrayLike<number>;
  /** map by signed log1p before standardising */
  readonly skewed?: boolean;
}

export type Archetype =
  | 'value-elite'
  | 'high-potential'
  | 'silent-majority'
  | 'churn-risk'
  | 'one-off'
  | 'other';

export const ARCHETYPES: Readonly<Record<Archetype, { readonly zh: string; readonly en: string }>> =
  Object.freeze({
    'value-elite': { zh: '价值贵族', en: 'Value elite' },
    'high-potential': { zh: '潜力蓝海', en: 'High potential' },
    'silent-majority': { zh: '沉默大众', en: 'Silent majority' },
    'churn-risk': { zh: '流失风险', en: 'Churn risk' },
    'one-off': { zh: '交易过客', en: 'One-off transactors' },
    other: { zh: '其他', en: 'Other' },
  });

const ROLE_NAMES: Record<FeatureRole, { zh: string; en: string }> = {
  monetary: { zh: '消费金额', en: 'spend' },
  clv: { zh: '预测终身价值', en: 'predicted CLV' },
  frequency: { zh: '购买次数', en: 'orders' },
  recency: { zh: '距上次购买天数', en: 'days since last purchase' },
  tenure: { zh: '客龄', en: 'tenure' },
  trend: { zh: '消费趋势', en: 'spend trend' },
  'p-alive': { zh: '存活概率', en: 'P(alive)' },
  complaints: { zh: '投诉次数', en: 'complaints' },
  engagement: { zh: '互动度', en: 'engagement' },
  other: { zh: '其他', en: 'other' },
};

export interface StandardizedFeatures {
  /** n × d, row-major */
  readonly data: Float64Array;
  readonly n: number;
  readonly d: number;
  /** mean and sd of each (log1p-mapped, if skewed) feature */
  readonly means: readonly number[];
  readonly sds: readonly number[];
}

/** Signed log1p for skewed features, then z-scores over all customers (see the header). */
export function standardizeFeatures(features: readonly ClusterFeature[]): StandardizedFeatures {
  if (features.length === 0)
    throw new InputError('clusters: no features given', { field: 'features' });
  const n = features[0].values.length;
  const d = features.length;
  const data = new Float64Array(n * d);
  const means: number[] = [];
  const sds: number[] = [];
  features.forEach((feat, f) => {
    if (feat.values.length !== n) {
      throw new InputError(
        `feature ${feat.name}: expected ${n} values (one per customer), got ${feat.values.length}`,
        { field: feat.name },
      );
    }
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const raw = feat.values[i];
      if (!Number.isFinite(raw)) {
        throw new InputError(`customer ${i} ${feat.name}: expected a finite number, got ${raw}`, {
          field: feat.name,
          value: raw,
          index: i,
        });
      }
      const v = feat.skewed ? Math.sign(raw) * Math.log1p(Math.abs(raw)) : raw;
      data[i * d + f] = v;
      sum += v;
    }
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (data[i * d + f] - mean) ** 2;
    const sd = Math.sqrt(ss / n);
    for (let i = 0; i < n; i++) data[i * d + f] = sd > 0 ? (data[i * d + f] - mean) / sd : 0;
    means.push(mean);
    sds.push(sd);
  });
  return Object.freeze({ data, n, d, means: Object.freeze(means), sds: Object.freeze(sds) });
}

export interface ClusterProfile {
  readonly cluster: number;
  readonly size: number;
  readonly share: number;
  /** mean raw value per feature, in the order of the features */
  readonly means: readonly number[];
  /** mean z per feature: population standard deviations from the average customer */
  readonly z: readonly number[];
  readonly archetype: Archetype;
  readonly label: { readonly zh: string; readonly en: string };
  readonly reason: { readonly zh: string; readonly en: string };
}

interface Test {
  roles: readonly FeatureRole[];
  /** margin ≥ 0 passes: how far beyond the threshold */
  margin: (z: number, mean: number) => number;
  /** the test's finding in words; `role` is the role of the feature actually tested */
  say: (z: number, mean: number, role: FeatureRole) => { zh: string; en: string };
}

const sd = (z: number) => {
  const r = Math.round(z * 10) / 10;
  return `${r > 0 ? '+' : r < 0 ? '−' : '±'}${Math.abs(r).toFixed(1)}`;
};
const above = (z: number, _mean: number, role: FeatureRole) => ({
  zh: `${ROLE_NAMES[role].zh}高于平均 ${Math.abs(z).toFixed(1)} 个标准差`,
  en: `${ROLE_NAMES[role].en} ${sd(z)} SD`,
});
const below = (z: number, _mean: number, role: FeatureRole) => ({
  zh: `${ROLE_NAMES[role].zh}低于平均 ${Math.abs(z).toFixed(1)} 个标准差`,
  en: `${ROLE_NAMES[role].en} ${sd(z)} SD`,
});
const high = (role: FeatureRole, t: number): Test => ({
  roles: [role],
  margin: (z) => z - t,
  say: above,
});
const low = (role: FeatureRole, t: number): Test => ({
  roles: [role],
  margin: (z) => t - z,
  say: below,
});

const RULES: readonly { archetype: Archetype; tests: readonly Test[]; minTests: number }[] = [
  {
    archetype: 'value-elite',
    tests: [
      { roles: ['monetary', 'clv'], margin: (z) => z - 0.5, say: above },
      high('frequency', 0.5),
    ],
    minTests: 2,
  },
  {
    archetype: 'high-potential',
    tests: [low('recency', -0.3), low('tenure', -0.3), high('trend', 0.3)],
    minTests: 2,
  },
  {
    archetype: 'churn-risk',
    tests: [
      low('p-alive', -0.5),
      high('recency', 0.5),
      high('complaints', 0.5),
      low('trend', -0.5),
    ],
    minTests: 2,
  },
  {
    archetype: 'one-off',
    tests: [
      {
        roles: ['frequency'],
        margin: (_z, mean) => 1.5 - mean,
        say: (_z, mean) => ({
          zh: `平均购买 ${mean.toFixed(1)} 次`,
          en: `${mean.toFixed(1)} orders on average`,
        }),
      },
      high('recency', 0.3),
    ],
    minTests: 2,
  },
];

/**
 * The archetype a cluster fits (rules in the file header), with the reason in words, from its
 * mean z and raw mean per feature.
 */
export function labelArchetype(
  features: readonly Pick<ClusterFeature, 'name' | 'role'>[],
  z: readonly number[],
  means: readonly number[],
): { archetype: Archetype; reason: { zh: string; en: string } } {
  const find = (roles: readonly FeatureRole[]) => {
    for (const role of roles) {
      const f = features.findIndex((x) => x.role === role);
      if (f >= 0) return f;
    }
    return -1;
  };
  let best: { archetype: Archetype; margin: number; zh: string[]; en: string[] } | null = null;
  for (const rule of RULES) {
    // A rule fits when at least `minTests` of its tests pass; its strength is the mean margin
    // of the passing tests, and the reason names them.
    let passed = 0;
    let margin = 0;
    const zh: string[] = [];
    const en: string[] = [];
    for (const t of rule.tests) {
      const f = find(t.roles);
      if (f < 0) continue;
      const m = t.margin(z[f], means[f]);
      if (m < 0) continue;
      passed++;
      margin += m;
      const said = t.say(z[f], means[f], features[f].role);
      zh.push(said.zh);
      en.push(said.en);
    }
    if (passed < rule.minTests) continue;
    const mean = margin / passed;
    if (!best || mean > best.margin) best = { archetype: rule.archetype, margin: mean, zh, en };
  }
  if (best) {
    const label = ARCHETYPES[best.archetype];
    return {
      archetype: best.archetype,
      reason: {
        zh: `${label.zh}：${best.zh.join('，')}`,
        en: `${label.en}: ${best.en.join(', ')}`,
      },
    };
  }
  const engagement = find(['frequency', 'engagement']);
  const flat = z.every((v) => Math.abs(v) <= 0.5);
  if (flat && engagement >= 0 && z[engagement] <= 0) {
    const role = features[engagement].role;
    return {
      archetype: 'silent-majority',
      reason: {
        zh: `沉默大众：各项指标都在平均 ±0.5 个标准差以内，${ROLE_NAMES[role].zh}不高于平均`,
        en: `Silent majority: every feature within ±0.5 SD of average, ${ROLE_NAMES[role].en} ${sd(z[engagement])} SD`,
      },
    };
  }
  const top = z
    .map((v, f) => ({ v, f }))
    .sort((a, b) => Math.abs(b.v) - Math.abs(a.v) || a.f - b.f)
    .slice(0, 2);
  return {
    archetype: 'other',
    reason: {
      zh: `不符合任何原型；差异最大的是 ${top.map((t) => `${features[t.f].name} ${sd(t.v)} 个标准差`).join('，')}`,
      en: `No archetype fits; the largest differences are ${top.map((t) => `${features[t.f].name} ${sd(t.v)} SD`).join(', ')}`,
    },
  };
}

export interface ClusterOptions extends KMeansOptions {
  /** a fixed k; otherwise chosen in [kMin, kMax] by silhouette */
  readonly k?: number;
  readonly kMin?: number;
  readonly kMax?: number;
  readonly silhouetteSample?: number;
  readonly selectionSampleSize?: number;
}

/**
 * What places a new customer in the clusters of a run: the scaling of each feature (signed
 * log1p if skewed, then mean and sd) and the centroids in standardised space.
 */
export interface ClusterModel {
  readonly skewed: readonly boolean[];
  readonly means: readonly number[];
  readonly sds: readonly number[];
  /** k rows of d standardised coordinates, in the order of `clusters` */
  readonly centroids: readonly (readonly number[])[];
}

/** The cluster (index into the run's clusters) nearest to one customer's raw feature values. */
export function assignToCluster(model: ClusterModel, raw: readonly number[]): number {
  const d = model.means.length;
  if (raw.length !== d) {
    throw new InputError(`cluster assignment: expected ${d} feature values, got ${raw.length}`, {
      field: 'features',
    });
  }
  const z = raw.map((v, f) => {
    const x = model.skewed[f] ? Math.sign(v) * Math.log1p(Math.abs(v)) : v;
    return model.sds[f] > 0 ? (x - model.means[f]) / model.sds[f] : 0;
  });
  let best = 0;
  let bestDist = Number.POSITIVE_INFINITY;
  model.centroids.forEach((c, k) => {
    let dist = 0;
    for (let f = 0; f < d; f++) dist += (z[f] - c[f]) ** 2;
    if (dist < bestDist) {
      bestDist = dist;
      best = k;
    }
  });
  return best;
}

export interface ClusterResult {
  readonly model: ClusterModel;
  readonly features: readonly { readonly name: string; readonly role: FeatureRole }[];
  /** mean raw value per feature over all customers, to set beside each cluster's means */
  readonly populationMeans: readonly number[];
  /** how k was chosen (null when k was given) */
  readonly selection: KSelection | null;
  /** cluster of each customer (0 is the largest) */
  readonly assignment: Int32Array;
  readonly clusters: readonly ClusterProfile[];
}

/** Standardise, cluster (k given or chosen by silhouette), profile and label every cluster. */
export function clusterCustomers(
  features: readonly ClusterFeature[],
  options: ClusterOptions = {},
): ClusterResult {
  const std = standardizeFeatures(features);
  const { data, n, d } = std;
  let selection: KSelection | null = null;
  let result: ReturnType<typeof kmeans>;
  if (options.k !== undefined) {
    result = kmeans(data, n, d, options.k, options);
  } else {
    ({ selection, result } = kmeansChooseK(data, n, d, options));
  }
  const k = result.k;
  const rawSum = new Float64Array(k * d);
  const zSum = new Float64Array(k * d);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = result.assignment[i];
    size[c]++;
    for (let f = 0; f < d; f++) {
      rawSum[c * d + f] += features[f].values[i];
      zSum[c * d + f] += data[i * d + f];
    }
  }
  const populationMeans = Array.from({ length: d }, (_, f) => {
    let total = 0;
    for (let c = 0; c < k; c++) total += rawSum[c * d + f];
    return total / n;
  });
  const clusters: ClusterProfile[] = [];
  for (let c = 0; c < k; c++) {
    const means = Array.from({ length: d }, (_, f) =>
      size[c] ? rawSum[c * d + f] / size[c] : Number.NaN,
    );
    const z = Array.from({ length: d }, (_, f) =>
      size[c] ? zSum[c * d + f] / size[c] : Number.NaN,
    );
    const { archetype, reason } = labelArchetype(features, z, means);
    clusters.push(
      Object.freeze({
        cluster: c,
        size: size[c],
        share: size[c] / n,
        means: Object.freeze(means),
        z: Object.freeze(z),
        archetype,
        label: ARCHETYPES[archetype],
        reason: Object.freeze(reason),
      }),
    );
  }
  const model: ClusterModel = Object.freeze({
    skewed: Object.freeze(features.map((f) => Boolean(f.skewed))),
    means: std.means,
    sds: std.sds,
    centroids: Object.freeze(
      Array.from({ length: k }, (_, c) =>
        Object.freeze(Array.from(result.centroids.subarray(c * d, (c + 1) * d))),
      ),
    ),
  });
  return Object.freeze({
    model,
    features: Object.freeze(features.map((f) => Object.freeze({ name: f.name, role: f.role }))),
    populationMeans: Object.freeze(populationMeans),
    selection,
    assignment: result.assignment,
    clusters: Object.freeze(clusters),
  });
}
