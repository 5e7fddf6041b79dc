import { describe, expect, test } from 'vitest';
import { createRng, sampleNormal } from '../random.js';
import {
  assignToCluster,
  type ClusterFeature,
  clusterCustomers,
  type FeatureRole,
  labelArchetype,
  standardizeFeatures,
} from './clusters.js';

const ROLES: { name: string; role: FeatureRole }[] = [
  { name: 'spend', role: 'monetary' },
  { name: 'orders', role: 'frequency' },
  { name: 'recency_days', role: 'recency' },
  { name: 'tenure_days', role: 'tenure' },
  { name: 'trend', role: 'trend' },
  { name: 'p_alive', role: 'p-alive' },
  { name: 'complaints', role: 'complaints' },
];

describe('archetype labels (issue 5.3, seed 004)', () => {
  test.each([
    {
      title: 'high spend and many orders is a value elite',
      z: [1.8, 1.2, -0.5, 0.8, 0, 0.5, 0],
      orders: 25,
      archetype: 'value-elite',
      en: 'Value elite: spend +1.8 SD, orders +1.2 SD',
      zh: '价值贵族：消费金额高于平均 1.8 个标准差，购买次数高于平均 1.2 个标准差',
    },
    {
      title: 'recent, young and rising is high potential',
      z: [-0.3, -0.2, -0.8, -1.0, 0.9, 0.5, -0.3],
      orders: 3,
      archetype: 'high-potential',
      en: 'High potential: days since last purchase −0.8 SD, tenure −1.0 SD, spend trend +0.9 SD',
      zh: '潜力蓝海：距上次购买天数低于平均 0.8 个标准差，客龄低于平均 1.0 个标准差，消费趋势高于平均 0.9 个标准差',
    },
    {
      title: 'low P(alive), long gone and complaining is churn risk',
      z: [0.4, 0.4, 1.1, 1.2, -1.5, -1.2, 1.5],
      orders: 6,
      archetype: 'churn-risk',
      en: 'Churn risk: P(alive) −1.2 SD, days since last purchase +1.1 SD, complaints +1.5 SD, spend trend −1.5 SD',
      zh: '流失风险：存活概率低于平均 1.2 个标准差，距上次购买天数高于平均 1.1 个标准差，投诉次数高于平均 1.5 个标准差，消费趋势低于平均 1.5 个标准差',
    },
    {
      title:
        'long gone with a low P(alive) is churn risk without any complaint (two of four tests)',
      z: [0.1, 0.2, 1.2, 0.3, 0.1, -1.2, -0.1],
      orders: 5,
      archetype: 'churn-risk',
      en: 'Churn risk: P(alive) −1.2 SD, days since last purchase +1.2 SD',
      zh: '流失风险：存活概率低于平均 1.2 个标准差，距上次购买天数高于平均 1.2 个标准差',
    },
    {
      title: 'one order long ago is a one-off transactor, even with a high P(alive)',
      z: [-1.4, -1.2, 0.9, -0.9, 0, 0.8, -0.4],
      orders: 1,
      archetype: 'one-off',
      en: 'One-off transactors: 1.0 orders on average, days since last purchase +0.9 SD',
      zh: '交易过客：平均购买 1.0 次，距上次购买天数高于平均 0.9 个标准差',
    },
    {
      title: 'average on everything with few orders is the silent majority',
      z: [0.1, -0.2, -0.3, 0.1, -0.1, -0.2, -0.2],
      orders: 4,
      archetype: 'silent-majority',
      en: 'Silent majority: every feature within ±0.5 SD of average, orders −0.2 SD',
      zh: '沉默大众：各项指标都在平均 ±0.5 个标准差以内，购买次数不高于平均',
    },
    {
      title: 'high spend from few orders fits no archetype and says why',
      z: [2.0, -1.0, 0.2, 0.1, 0, 0, 0],
      orders: 2,
      archetype: 'other',
      en: 'No archetype fits; the largest differences are spend +2.0 SD, orders −1.0 SD',
      zh: '不符合任何原型；差异最大的是 spend +2.0 个标准差，orders −1.0 个标准差',
    },
  ])('$title', ({ z, orders, archetype, en, zh }) => {
    const means = z.map((_, f) => (f === 1 ? orders : 0));
    const got = labelArchetype(ROLES, z, means);
    expect(got).toEqual({ archetype, reason: { en, zh } });
  });

  test('an archetype is not claimed on one piece of evidence: spend alone is not a value elite', () => {
    const got = labelArchetype([{ name: 'clv', role: 'clv' }], [2.5], [90000]);
    expect(got.archetype).toBe('other');
  });
});

describe('feature scaling (issue 5.3)', () => {
  test('skewed features are log1p-mapped, then every feature is standardised; constants become 0', () => {
    const e = Math.E;
    const std = standardizeFeatures([
      { name: 'spend', role: 'monetary', values: [0, e - 1, e * e - 1], skewed: true },
      { name: 'flat', role: 'other', values: [5, 5, 5] },
    ]);
    const z = Math.sqrt(1.5);
    expect([...std.data].map((v) => Number(v.toFixed(12)))).toEqual([
      Number((-z).toFixed(12)),
      0,
      0,
      0,
      Number(z.toFixed(12)),
      0,
    ]);
    expect(std.means[0]).toBeCloseTo(1, 12);
  });

  test('a feature with a missing value is rejected with the customer and feature named', () => {
    expect(() =>
      standardizeFeatures([{ name: 'spend', role: 'monetary', values: [1, Number.NaN] }]),
    ).toThrow('customer 1 spend: expected a finite number, got NaN');
  });
});

/** Five constructed customer groups, one per archetype, with noise. */
function population(seed: number) {
  const groups = [
    { name: 'silent-majority', n: 700, m: 1500, f: 4, r: 60, t: 500, tr: 0, pa: 0.7, c: 0.3 },
    { name: 'one-off', n: 300, m: 200, f: 1, r: 200, t: 250, tr: 0, pa: 0.95, c: 0 },
    { name: 'value-elite', n: 150, m: 30000, f: 30, r: 10, t: 900, tr: 0, pa: 0.97, c: 0.2 },
    { name: 'churn-risk', n: 150, m: 2500, f: 6, r: 330, t: 800, tr: -0.6, pa: 0.1, c: 3 },
    { name: 'high-potential', n: 150, m: 900, f: 3, r: 8, t: 45, tr: 1.2, pa: 0.95, c: 0 },
  ];
  const rng = createRng(seed);
  const cols: number[][] = ROLES.map(() => []);
  const truth: string[] = [];
  const jitter = (v: number, s: number) => Math.max(0, v * (1 + sampleNormal(rng, 0, s)));
  for (const g of groups) {
    for (let i = 0; i < g.n; i++) {
      cols[0].push(jitter(g.m, 0.15));
      cols[1].push(g.f === 1 ? 1 : Math.max(2, Math.round(jitter(g.f, 0.15))));
      cols[2].push(jitter(g.r, 0.15));
      cols[3].push(jitter(g.t, 0.15));
      cols[4].push(g.tr + sampleNormal(rng, 0, 0.1));
      cols[5].push(Math.min(1, Math.max(0, g.pa + sampleNormal(rng, 0, 0.03))));
      cols[6].push(Math.max(0, Math.round(g.c + sampleNormal(rng, 0, 0.3))));
      truth.push(g.name);
    }
  }
  const features: ClusterFeature[] = ROLES.map((r, f) => ({
    ...r,
    values: cols[f],
    skewed: r.role === 'monetary' || r.role === 'frequency',
  }));
  return { features, truth };
}

describe('customer clusters (issue 5.3)', () => {
  test('five constructed groups give k = 5 by silhouette, each cluster one group, labelled with its archetype', () => {
    const { features, truth } = population(5);
    const res = clusterCustomers(features, { seed: 1, kMin: 2, kMax: 8 });
    expect(res.selection?.k).toBe(5);
    expect(res.clusters.map((c) => [c.size, c.archetype, c.label.zh])).toEqual([
      [700, 'silent-majority', '沉默大众'],
      [300, 'one-off', '交易过客'],
      [150, 'high-potential', '潜力蓝海'],
      [150, 'churn-risk', '流失风险'],
      [150, 'value-elite', '价值贵族'],
    ]);
    // each cluster holds exactly the customers of the group its label names
    res.assignment.forEach((c, i) => {
      expect(res.clusters[c].archetype).toBe(truth[i]);
    });
    const orders = features[1].values;
    const meanOrders = Array.from(orders).reduce((x, y) => x + y, 0) / orders.length;
    expect(res.populationMeans[1]).toBeCloseTo(meanOrders, 9);
    const elite = res.clusters[4];
    expect(elite.means[1]).toBeGreaterThan(20);
    expect(elite.z[0]).toBeGreaterThan(1.5);
  });

  test('the same data and seed give the same clusters; a fixed k skips the selection', () => {
    const { features } = population(8);
    const a = clusterCustomers(features, { seed: 3, k: 4 });
    const b = clusterCustomers(features, { seed: 3, k: 4 });
    expect(a.selection).toBeNull();
    expect(b.assignment).toEqual(a.assignment);
    expect(b.clusters).toEqual(a.clusters);
    expect(a.clusters.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 12);
  });

  test('the stored cluster model places each customer of the run in the cluster the run gave it', () => {
    const { features } = population(9);
    const res = clusterCustomers(features, { seed: 2, k: 5 });
    const json = JSON.parse(JSON.stringify(res.model));
    for (let i = 0; i < features[0].values.length; i++) {
      const raw = features.map((f) => f.values[i]);
      expect(assignToCluster(json, raw)).toBe(res.assignment[i]);
    }
    expect(() => assignToCluster(json, [1, 2])).toThrow('expected 7 feature values, got 2');
  });
});
