/**
 * The self-contained HTML report (issue 9 §5): headline figures, stage mix and transitions,
 * value pyramid and Pareto curve, value-model fits with holdout tracking, segments and clusters,
 * churn warnings, cohorts, campaigns, cross-sell rules and open tasks, in zh-CN or English. All
 * charts are inline SVG (svg.ts), styles inline, no script and no network: the file opens
 * offline. A section without data says so rather than disappearing.
 */
import type { HoldoutReport } from '../clv/holdout.js';
import type { ParetoCurve } from '../segments/pareto.js';
import { barChart, esc, lineChart, pyramidChart } from './svg.js';

interface Interval {
  readonly difference: number;
  readonly low: number;
  readonly high: number;
}

/** What the report shows of a campaign (the store's CampaignReport has these and more). */
export interface ReportCampaign {
  readonly campaign: {
    readonly campaignId: string;
    readonly name: string;
    readonly members: { treatment: number; control: number };
  };
  readonly window: { readonly start: string; readonly end: string; readonly complete: boolean };
  readonly treatment: { readonly conversionRate: number; readonly revenuePerCustomerMinor: number };
  readonly control: { readonly conversionRate: number; readonly revenuePerCustomerMinor: number };
  readonly uplift: {
    readonly conversion: Interval | null;
    readonly revenuePerCustomerMinor: Interval | null;
    readonly retention: Interval | null;
  };
  readonly costMinor: number;
  readonly roi: number | null;
}

export interface ReportRule {
  readonly antecedent: readonly string[];
  readonly consequent: readonly string[];
  readonly support: number;
  readonly confidence: number;
  readonly lift: number;
}

export interface ReportData {
  asOf: string;
  headline: {
    customers: number;
    buyers: number;
    orders: number;
    revenueMinor: number;
    marginMinor: number | null;
    snapshotAsOf: string | null;
    predictedClvMinor: number | null;
    meanPAlive: number | null;
  };
  stages: {
    modelName: { zh: string; en: string };
    stages: { code: string; zh: string; en: string }[];
    dates: string[];
    mix: Record<string, number>[];
    from: string | null;
    transitions: { from: string | null; to: string; customers: number }[];
  } | null;
  tiers: { tier: string; customers: number; clvMinor: number }[];
  pareto: ParetoCurve | null;
  fits: {
    asOf: string;
    model: string;
    params: Record<string, number>;
    logLik: number | null;
    aic: number | null;
    converged: boolean;
    chosen: boolean;
    holdout: (HoldoutReport & { calibrationEnd?: string; holdoutEnd?: string }) | null;
  }[];
  segments: {
    rfm: { name: string; customers: number }[];
    clusters: { name: string; customers: number }[];
    saved: { segmentId: string; name: string; members: number }[];
  };
  churn: {
    levels: { level: string; customers: number }[];
    risk: { bucket: number; customers: number }[];
    source: 'churn-model' | 'p-alive' | null;
    /** the latest churn model (issue 6): its kind, window and the numbers its training stored */
    model: {
      asOf: string;
      kind: string;
      windowDays: number;
      figures: Record<string, number>;
    } | null;
  };
  cohorts: { cohort: string; size: number; retention: number[] }[];
  campaigns: ReportCampaign[];
  rules: ReportRule[];
  tasks: { type: string; open: number; overdue: number }[];
}

export type ReportLang = 'zh-CN' | 'en';

const T = {
  title: { 'zh-CN': '客户生命周期报告', en: 'Customer lifecycle report' },
  asOf: { 'zh-CN': '截至', en: 'As of' },
  noData: { 'zh-CN': '暂无数据', en: 'No data yet' },
  headline: { 'zh-CN': '核心指标', en: 'Headline figures' },
  customers: { 'zh-CN': '客户数', en: 'Customers' },
  buyers: { 'zh-CN': '有购买客户', en: 'Buyers' },
  orders: { 'zh-CN': '订单数', en: 'Orders' },
  revenue: { 'zh-CN': '累计收入', en: 'Revenue to date' },
  margin: { 'zh-CN': '累计毛利', en: 'Margin to date' },
  clv: { 'zh-CN': '预测 CLV 合计', en: 'Predicted CLV, total' },
  pAlive: { 'zh-CN': '平均 P(活跃)', en: 'Mean P(alive)' },
  stages: { 'zh-CN': '生命周期阶段', en: 'Lifecycle stages' },
  stageMix: { 'zh-CN': '各分析日的阶段分布', en: 'Stage mix at each analysis date' },
  transitions: { 'zh-CN': '阶段迁移', en: 'Stage transitions' },
  since: { 'zh-CN': '自', en: 'since' },
  from: { 'zh-CN': '原阶段', en: 'From' },
  to: { 'zh-CN': '新阶段', en: 'To' },
  value: { 'zh-CN': '客户价值：金字塔与帕累托', en: 'Customer value: pyramid and Pareto' },
  pyramid: { 'zh-CN': '客户金字塔（按预测 CLV）', en: 'Customer pyramid (by predicted CLV)' },
  pareto: {
    'zh-CN': '帕累托曲线：客户占比 vs 收入占比',
    en: 'Pareto curve: share of customers vs share of revenue',
  },
  top20: { 'zh-CN': '前 20% 客户贡献收入', en: 'Top 20 % of customers make' },
  fits: { 'zh-CN': 'CLV 模型拟合与留出期检验', en: 'CLV model fit and holdout' },
  model: { 'zh-CN': '模型', en: 'Model' },
  params: { 'zh-CN': '参数', en: 'Parameters' },
  holdoutMae: { 'zh-CN': '留出期 MAE', en: 'Holdout MAE' },
  tracking: {
    'zh-CN': '按校准期购买次数：预测 vs 实际（留出期）',
    en: 'By calibration purchases: predicted vs actual (holdout)',
  },
  predicted: { 'zh-CN': '预测', en: 'Predicted' },
  actual: { 'zh-CN': '实际', en: 'Actual' },
  segments: { 'zh-CN': '细分与聚类', en: 'Segments and clusters' },
  rfm: { 'zh-CN': 'RFM 细分', en: 'RFM segments' },
  clusters: { 'zh-CN': '聚类', en: 'Clusters' },
  saved: { 'zh-CN': '已保存细分', en: 'Saved segments' },
  name: { 'zh-CN': '名称', en: 'Name' },
  churn: { 'zh-CN': '流失预警', en: 'Churn warning' },
  levels: { 'zh-CN': '预警等级', en: 'Warning levels' },
  risk: { 'zh-CN': '流失风险分布', en: 'Churn risk distribution' },
  riskFromPAlive: {
    'zh-CN': '流失模型尚未运行：风险按 1 − P(活跃) 计',
    en: 'The churn model has not run: risk is 1 − P(alive)',
  },
  churnModel: { 'zh-CN': '流失模型（训练与检验）', en: 'Churn model (training and validation)' },
  backtest: {
    'zh-CN': '流失模型尚未训练',
    en: 'No churn model trained yet',
  },
  cohorts: { 'zh-CN': '首购月份同期群留存', en: 'First-purchase cohorts: retention by month' },
  cohort: { 'zh-CN': '同期群', en: 'Cohort' },
  size: { 'zh-CN': '人数', en: 'Size' },
  month: { 'zh-CN': '月', en: 'Month' },
  campaigns: { 'zh-CN': '营销活动效果', en: 'Campaign results' },
  conversion: { 'zh-CN': '转化提升', en: 'Conversion uplift' },
  revenuePer: { 'zh-CN': '人均收入提升', en: 'Revenue per customer uplift' },
  cost: { 'zh-CN': '成本', en: 'Cost' },
  roi: { 'zh-CN': 'ROI', en: 'ROI' },
  running: { 'zh-CN': '进行中', en: 'running' },
  rules: { 'zh-CN': '交叉销售规则（提升度最高）', en: 'Cross-sell rules (highest lift)' },
  tasks: { 'zh-CN': '待办任务', en: 'Open tasks' },
  type: { 'zh-CN': '类型', en: 'Type' },
  open: { 'zh-CN': '未完成', en: 'Open' },
  overdue: { 'zh-CN': '已逾期', en: 'Overdue' },
  footer: {
    'zh-CN': '由 Tenure 生成。图表为内嵌 SVG，离线可看。金额单位：元。',
    en: 'Made by Tenure. Charts are inline SVG; the file opens offline. Amounts in yuan (CNY).',
  },
} as const;

const TIER_NAMES: Record<string, { 'zh-CN': string; en: string }> = {
  platinum: { 'zh-CN': '铂金', en: 'Platinum' },
  gold: { 'zh-CN': '黄金', en: 'Gold' },
  iron: { 'zh-CN': '钢铁', en: 'Iron' },
  lead: { 'zh-CN': '铅', en: 'Lead' },
};

const yuan = (minor: number): string =>
  `¥${(minor / 100).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
const int = (n: number): string => n.toLocaleString('en-US');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** The whole report as one HTML document. */
export function renderReportHtml(data: ReportData, lang: ReportLang = 'zh-CN'): string {
  const t = (k: keyof typeof T): string => T[k][lang];
  const none = `<p class="none">${esc(t('noData'))}</p>`;
  const section = (id: string, title: string, body: string) =>
    `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
  const name = (zh: string, en: string) => (lang === 'en' ? en : zh);
  const parts: string[] = [];

  const h = data.headline;
  const cards: [string, string][] = [
    [t('customers'), int(h.customers)],
    [t('buyers'), int(h.buyers)],
    [t('orders'), int(h.orders)],
    [t('revenue'), yuan(h.revenueMinor)],
    [t('margin'), h.marginMinor === null ? '—' : yuan(h.marginMinor)],
    [t('clv'), h.predictedClvMinor === null ? '—' : yuan(h.predictedClvMinor)],
    [t('pAlive'), h.meanPAlive === null ? '—' : pct(h.meanPAlive)],
  ];
  parts.push(
    section(
      'headline',
      t('headline'),
      h.customers === 0
        ? none
        : `<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`).join('')}</div>`,
    ),
  );

  const st = data.stages;
  if (st === null) parts.push(section('stages', t('stages'), none));
  else {
    const label = (code: string | null) => {
      if (code === null) return '—';
      const s = st.stages.find((x) => x.code === code);
      return s ? name(s.zh, s.en) : code;
    };
    const chart = barChart({
      title: t('stageMix'),
      categories: st.dates,
      series: st.stages.map((s) => ({
        name: name(s.zh, s.en),
        values: st.mix.map((m) => m[s.code] ?? 0),
      })),
      stacked: true,
    });
    const trans =
      st.transitions.length === 0
        ? none
        : table(
            [t('from'), t('to'), t('customers')],
            st.transitions.slice(0, 20).map((x) => [label(x.from), label(x.to), int(x.customers)]),
          );
    parts.push(
      section(
        'stages',
        `${t('stages')} · ${name(st.modelName.zh, st.modelName.en)}`,
        `<h3>${esc(t('stageMix'))}</h3>${chart}<h3>${esc(t('transitions'))}${st.from ? ` (${esc(t('since'))} ${esc(st.from)})` : ''}</h3>${trans}`,
      ),
    );
  }

  const valueBody: string[] = [];
  if (data.tiers.length > 0) {
    valueBody.push(
      `<h3>${esc(t('pyramid'))}</h3>`,
      pyramidChart({
        title: t('pyramid'),
        levels: data.tiers.map((x) => ({
          label: TIER_NAMES[x.tier]?.[lang] ?? x.tier,
          value: Math.sqrt(x.customers),
          note: `${int(x.customers)} · CLV ${yuan(x.clvMinor)}`,
        })),
      }),
    );
  }
  if (data.pareto !== null) {
    const p = data.pareto;
    valueBody.push(
      `<h3>${esc(t('pareto'))}</h3>`,
      lineChart({
        title: t('pareto'),
        series: [
          { name: t('revenue'), points: p.points.map((q) => [q.customers, q.value] as const) },
        ],
        fmtX: (v) => pct(v, 0),
        fmtY: (v) => pct(v, 0),
      }),
      p.top20Share === null ? '' : `<p>${esc(t('top20'))} <b>${esc(pct(p.top20Share))}</b></p>`,
    );
  }
  parts.push(section('value', t('value'), valueBody.length === 0 ? none : valueBody.join('')));

  if (data.fits.length === 0) parts.push(section('fits', t('fits'), none));
  else {
    const chosen = data.fits.find((f) => f.chosen && f.holdout) ?? data.fits.find((f) => f.holdout);
    const rows = data.fits.map((f) => [
      `${f.model}${f.chosen ? ' ✓' : ''}`,
      Object.entries(f.params)
        .map(([k, v]) => `${k}=${Number(v).toPrecision(4)}`)
        .join(' '),
      f.logLik === null ? '—' : f.logLik.toFixed(1),
      f.aic === null ? '—' : f.aic.toFixed(1),
      f.holdout ? f.holdout.mae.toFixed(3) : '—',
    ]);
    let body = `<p>${esc(t('asOf'))} ${esc(data.fits[0].asOf)}</p>${table([t('model'), t('params'), 'LL', 'AIC', t('holdoutMae')], rows)}`;
    if (chosen?.holdout) {
      const g = chosen.holdout.byFrequency;
      body += `<h3>${esc(t('tracking'))} · ${esc(chosen.model)}</h3>${barChart({
        title: t('tracking'),
        categories: g.map((x) => x.label),
        series: [
          { name: t('predicted'), values: g.map((x) => x.meanPredicted) },
          { name: t('actual'), values: g.map((x) => x.meanActual) },
        ],
        fmt: (v) => v.toFixed(2),
      })}`;
    }
    parts.push(section('fits', t('fits'), body));
  }

  const seg = data.segments;
  const segBody: string[] = [];
  const bars = (title: string, list: readonly { name: string; customers: number }[]) =>
    `<h3>${esc(title)}</h3>${barChart({ title, categories: list.map((x) => x.name), series: [{ name: t('customers'), values: list.map((x) => x.customers) }] })}`;
  if (seg.rfm.length > 0) segBody.push(bars(t('rfm'), seg.rfm));
  if (seg.clusters.length > 0) segBody.push(bars(t('clusters'), seg.clusters));
  if (seg.saved.length > 0) {
    segBody.push(
      `<h3>${esc(t('saved'))}</h3>${table(
        ['id', t('name'), t('customers')],
        seg.saved.map((s) => [s.segmentId, s.name, int(s.members)]),
      )}`,
    );
  }
  parts.push(section('segments', t('segments'), segBody.length === 0 ? none : segBody.join('')));

  const ch = data.churn;
  const churnBody: string[] = [];
  if (ch.levels.length > 0)
    churnBody.push(
      bars(
        t('levels'),
        ch.levels.map((l) => ({ name: l.level, customers: l.customers })),
      ),
    );
  if (ch.risk.length > 0) {
    const buckets = Array.from(
      { length: 10 },
      (_, b) => ch.risk.find((r) => r.bucket === b)?.customers ?? 0,
    );
    churnBody.push(
      `<h3>${esc(t('risk'))}</h3>`,
      barChart({
        title: t('risk'),
        categories: buckets.map((_, b) => `${b * 10}–${b * 10 + 10}%`),
        series: [{ name: t('customers'), values: buckets }],
      }),
    );
    if (ch.source === 'p-alive') churnBody.push(`<p class="note">${esc(t('riskFromPAlive'))}</p>`);
  }
  if (ch.model === null) churnBody.push(`<p class="note">${esc(t('backtest'))}</p>`);
  else {
    const m = ch.model;
    churnBody.push(
      `<h3>${esc(t('churnModel'))} · ${esc(m.kind)} · ${esc(m.asOf)} · ${m.windowDays} d</h3>`,
      table(
        ['', ''],
        Object.entries(m.figures).map(([k, v]) => [k, Number.isInteger(v) ? int(v) : v.toFixed(3)]),
      ),
    );
  }
  parts.push(
    section(
      'churn',
      t('churn'),
      ch.risk.length === 0 && ch.levels.length === 0 ? none : churnBody.join(''),
    ),
  );

  if (data.cohorts.length === 0) parts.push(section('cohorts', t('cohorts'), none));
  else {
    const width = Math.max(...data.cohorts.map((c) => c.retention.length));
    const head = [
      t('cohort'),
      t('size'),
      ...Array.from({ length: width }, (_, k) => `${t('month')} ${k}`),
    ];
    const cell = (x: number | undefined) =>
      x === undefined
        ? '<td></td>'
        : `<td style="background:rgba(78,121,167,${(0.1 + 0.9 * x).toFixed(2)});color:${x > 0.5 ? '#fff' : '#222'}">${esc(pct(x, 0))}</td>`;
    const rows = data.cohorts
      .map(
        (c) =>
          `<tr><td>${esc(c.cohort)}</td><td>${int(c.size)}</td>${Array.from({ length: width }, (_, k) => cell(c.retention[k])).join('')}</tr>`,
      )
      .join('');
    const avg = Array.from({ length: width }, (_, k) => {
      const have = data.cohorts.filter((c) => c.retention[k] !== undefined && k > 0);
      return [
        k,
        have.length === 0 ? 1 : have.reduce((s, c) => s + c.retention[k], 0) / have.length,
      ] as const;
    }).slice(1);
    parts.push(
      section(
        'cohorts',
        t('cohorts'),
        `<table class="heat"><thead><tr>${head.map((x) => `<th>${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>` +
          (avg.length > 1
            ? lineChart({
                title: t('cohorts'),
                series: [{ name: t('cohorts'), points: avg }],
                xLabel: t('month'),
                fmtY: (v) => pct(v, 0),
              })
            : ''),
      ),
    );
  }

  if (data.campaigns.length === 0) parts.push(section('campaigns', t('campaigns'), none));
  else {
    const ci = (d: Interval | null, f: (x: number) => string) =>
      d === null ? '—' : `${f(d.difference)} [${f(d.low)}, ${f(d.high)}]`;
    const rows = data.campaigns.map((c) => [
      `${c.campaign.name} (${c.campaign.campaignId})${c.window.complete ? '' : ` · ${t('running')}`}`,
      `${int(c.campaign.members.treatment)} / ${int(c.campaign.members.control)}`,
      `${pct(c.treatment.conversionRate)} vs ${pct(c.control.conversionRate)}`,
      ci(c.uplift.conversion, (x) => pct(x)),
      ci(c.uplift.revenuePerCustomerMinor, yuan),
      yuan(c.costMinor),
      c.roi === null ? '—' : pct(c.roi, 0),
    ]);
    const chart = barChart({
      title: t('conversion'),
      categories: data.campaigns.map((c) => c.campaign.name),
      series: [
        { name: 'treatment', values: data.campaigns.map((c) => c.treatment.conversionRate * 100) },
        { name: 'control', values: data.campaigns.map((c) => c.control.conversionRate * 100) },
      ],
      fmt: (v) => `${v.toFixed(0)}%`,
    });
    parts.push(
      section(
        'campaigns',
        t('campaigns'),
        chart +
          table(
            [
              '',
              'T / C',
              t('conversion'),
              `${t('conversion')} (95% CI)`,
              `${t('revenuePer')} (95% CI)`,
              t('cost'),
              t('roi'),
            ],
            rows,
          ),
      ),
    );
  }

  parts.push(
    section(
      'crosssell',
      t('rules'),
      data.rules.length === 0
        ? none
        : table(
            ['rule', 'support', 'confidence', 'lift'],
            data.rules.map((r) => [
              `${r.antecedent.join('+')} → ${r.consequent.join('+')}`,
              pct(r.support, 2),
              pct(r.confidence),
              r.lift.toFixed(2),
            ]),
          ),
    ),
  );
  parts.push(
    section(
      'tasks',
      t('tasks'),
      data.tasks.length === 0
        ? none
        : table(
            [t('type'), t('open'), t('overdue')],
            data.tasks.map((x) => [x.type, int(x.open), int(x.overdue)]),
          ),
    ),
  );

  const nav = parts
    .map((p) => /<section id="([^"]+)"><h2>([^<]*)<\/h2>/.exec(p))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `<a href="#${m[1]}">${m[2]}</a>`)
    .join(' · ');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(t('title'))} · ${esc(data.asOf)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f6f7f9;color:#222}
header{background:#1f3b5b;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.8}
nav{padding:8px 32px;background:#fff;border-bottom:1px solid #e3e3e3;font-size:13px}nav a{color:#1f3b5b}
main{max-width:980px;margin:0 auto;padding:16px 24px}section{background:#fff;border-radius:8px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h2{font-size:18px;margin:0 0 12px}h3{font-size:14px;margin:16px 0 8px;color:#444}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{flex:1 1 130px;border:1px solid #e6e6e6;border-radius:6px;padding:10px}.card .k{font-size:12px;color:#666}.card .v{font-size:20px;font-weight:600;margin-top:4px}
table{border-collapse:collapse;font-size:12px;width:100%;margin:8px 0}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left}th{background:#fafafa}
.heat td{text-align:center}.none{color:#999;font-style:italic}.note{color:#666;font-size:12px}footer{text-align:center;color:#888;font-size:12px;padding:16px}
</style></head>
<body><header><h1>${esc(t('title'))}</h1><p>${esc(t('asOf'))} ${esc(data.asOf)}</p></header>
<nav>${nav}</nav><main>${parts.join('\n')}</main><footer>${esc(t('footer'))}</footer></body></html>
`;
}
