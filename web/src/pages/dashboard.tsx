/** The state of the customer base at a glance (SPEC §1 manager; issue 8 "Dashboard"). */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { type Dashboard, useDashboard } from '../api/hooks.js';
import { Chart, type ChartOption } from '../components/chart.js';
import { Empty, KpiCard, Panel, QueryState } from '../components/ui.js';
import { formatChange, formatDate, formatMoney, formatNumber, formatPercent } from '../format.js';
import { stageColour, stageName, tierName } from '../labels.js';

type Kpi = { value: number | null; previous?: number | null };

function kpi(d: Dashboard, key: string): Kpi {
  const v = d.kpis?.[key];
  if (v == null) return { value: null };
  if (typeof v === 'number') return { value: v };
  return v;
}

const money = (v: unknown) => formatMoney(v as number);

function KpiRow({ d }: { d: Dashboard }) {
  const { t } = useTranslation();
  const cards: [string, string, (v: number | null) => string][] = [
    ['customers', t('kpi.customers'), (v) => formatNumber(v, { compact: true })],
    ['active', t('kpi.active'), (v) => formatNumber(v, { compact: true })],
    ['newThisMonth', t('kpi.newThisMonth'), (v) => formatNumber(v)],
    ['churnRate', t('kpi.churnRate'), (v) => formatPercent(v)],
    ['retentionRate', t('kpi.retentionRate'), (v) => formatPercent(v)],
    [
      'groupLifetimeYears',
      t('kpi.groupLifetime'),
      (v) => (v == null ? '—' : t('kpi.years', { n: formatNumber(v, { digits: 1 }) })),
    ],
    ['revenueMinor', t('kpi.revenue'), (v) => formatMoney(v)],
    ['avgClvMinor', t('kpi.avgClv'), (v) => formatMoney(v)],
  ];
  return (
    <div className="kpis">
      {cards.map(([key, label, fmt]) => {
        const k = kpi(d, key);
        return (
          <KpiCard
            key={key}
            label={label}
            value={fmt(k.value)}
            change={formatChange(k.value, k.previous)}
          />
        );
      })}
    </div>
  );
}

const axisMoney = { axisLabel: { formatter: (v: number) => formatMoney(v) } };

export function dashboardOptions(
  d: Dashboard,
  t: (k: string) => string,
): Record<string, ChartOption | null> {
  const o: Record<string, ChartOption | null> = {};
  o.stageMix = d.stageMix?.periods?.length
    ? {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: d.stageMix.periods },
        yAxis: {
          type: 'value',
          axisLabel: { formatter: (v: number) => formatNumber(v, { compact: true }) },
        },
        series: d.stageMix.series.map((s) => ({
          name: stageName(s.stage),
          type: 'bar',
          stack: 'stage',
          data: s.counts,
          itemStyle: { color: stageColour(s.stage) },
        })),
      }
    : null;
  const links = (d.transitions ?? []).filter((l) => l.count > 0 && l.from !== l.to);
  const nodeNames = [...new Set(links.flatMap((l) => [l.from, l.to]))];
  o.sankey = links.length
    ? {
        tooltip: { trigger: 'item' },
        series: [
          {
            type: 'sankey',
            emphasis: { focus: 'adjacency' },
            // ECharts' Sankey needs a DAG: from-nodes on the left, to-nodes on the right
            data: [
              ...nodeNames.map((n) => ({
                name: `${stageName(n)} ›`,
                itemStyle: { color: stageColour(n) },
              })),
              ...nodeNames.map((n) => ({
                name: `› ${stageName(n)}`,
                itemStyle: { color: stageColour(n) },
              })),
            ],
            links: links.map((l) => ({
              source: `${stageName(l.from)} ›`,
              target: `› ${stageName(l.to)}`,
              value: l.count,
            })),
          },
        ],
      }
    : null;
  const pyramid = d.pyramid ?? [];
  o.pyramid = pyramid.length
    ? {
        tooltip: { trigger: 'item' },
        series: [
          {
            type: 'funnel',
            sort: 'none',
            minSize: '20%',
            label: { formatter: '{b}: {c}' },
            data: pyramid.map((p) => ({ name: tierName(p.tier), value: p.customers })),
          },
        ],
      }
    : null;
  const pareto = d.pareto ?? [];
  o.pareto = pareto.length
    ? {
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatPercent(v) },
        grid: { left: 56, right: 16, top: 16, bottom: 40 },
        xAxis: {
          type: 'value',
          name: t('dashboard.customersShare'),
          nameLocation: 'middle',
          nameGap: 26,
          max: 1,
          axisLabel: { formatter: (v: number) => formatPercent(v, 0) },
        },
        yAxis: {
          type: 'value',
          name: t('dashboard.profitShare'),
          axisLabel: { formatter: (v: number) => formatPercent(v, 0) },
        },
        series: [
          {
            type: 'line',
            showSymbol: false,
            data: pareto.map((p) => [p.customerShare, p.profitShare]),
            markLine: { silent: true, symbol: 'none', data: [{ xAxis: 0.2 }, { yAxis: 0.8 }] },
          },
        ],
      }
    : null;
  const cohorts = d.cohorts ?? [];
  const maxMonths = Math.max(0, ...cohorts.map((c) => c.retention.length));
  o.cohorts = cohorts.length
    ? {
        tooltip: {
          position: 'top',
          valueFormatter: (v: unknown) =>
            formatPercent(Array.isArray(v) ? (v[2] as number) : (v as number)),
        },
        grid: { left: 72, right: 16, top: 16, bottom: 64 },
        xAxis: {
          type: 'category',
          data: Array.from({ length: maxMonths }, (_, i) => String(i)),
          name: t('dashboard.monthsSince'),
          nameLocation: 'middle',
          nameGap: 26,
        },
        yAxis: { type: 'category', data: cohorts.map((c) => c.cohort), inverse: true },
        visualMap: {
          min: 0,
          max: 1,
          calculable: false,
          orient: 'horizontal',
          left: 'center',
          bottom: 0,
          itemHeight: 120,
          inRange: { color: ['#eff6ff', '#1d4ed8'] },
        },
        series: [
          {
            type: 'heatmap',
            data: cohorts.flatMap((c, y) => c.retention.map((r, x) => [x, y, r])),
          },
        ],
      }
    : null;
  const clv = d.clvDistribution ?? [];
  o.clv = clv.length
    ? {
        tooltip: { trigger: 'axis' },
        grid: { left: 48, right: 16, top: 16, bottom: 48 },
        xAxis: {
          type: 'category',
          data: clv.map((b) => `${money(b.fromMinor)}–${money(b.toMinor)}`),
          axisLabel: { rotate: 30 },
        },
        yAxis: { type: 'value' },
        series: [{ type: 'bar', data: clv.map((b) => b.count), itemStyle: { color: '#2563eb' } }],
      }
    : null;
  const atRisk = (d.atRisk ?? []).slice(0, 15);
  o.atRisk = atRisk.length
    ? {
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatMoney(v) },
        grid: { left: 96, right: 24, top: 8, bottom: 24 },
        xAxis: { type: 'value', ...axisMoney },
        yAxis: { type: 'category', inverse: true, data: atRisk.map((c) => c.name || c.customerId) },
        series: [
          {
            type: 'bar',
            data: atRisk.map((c) => Number(c.valueAtRiskMinor)),
            itemStyle: { color: '#dc2626' },
          },
        ],
      }
    : null;
  for (const key of ['region', 'ageBand', 'industry']) {
    const rows = (d.breakdowns?.[key] ?? []).slice(0, 20);
    o[key] = rows.length
      ? {
          tooltip: { trigger: 'axis' },
          grid: { left: 72, right: 16, top: 8, bottom: 24 },
          xAxis: { type: 'value' },
          yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.key) },
          series: [
            { type: 'bar', data: rows.map((r) => r.customers), itemStyle: { color: '#0f766e' } },
          ],
        }
      : null;
  }
  return o;
}

function ChartPanel({
  name,
  title,
  option,
  wide,
  height,
}: {
  name: string;
  title: string;
  option: ChartOption | null;
  wide?: boolean;
  height?: number;
}) {
  const { t } = useTranslation();
  return (
    <Panel title={title} wide={wide}>
      {option ? (
        <Chart name={name} option={option} label={title} height={height} />
      ) : (
        <Empty>{t('common.empty')}</Empty>
      )}
    </Panel>
  );
}

function DashboardBody({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: options are re-made when the language changes
  const o = useMemo(() => dashboardOptions(d, t), [d, t, i18n.language]);
  return (
    <>
      <KpiRow d={d} />
      <div className="grid">
        <ChartPanel name="stageMix" title={t('dashboard.stageMix')} option={o.stageMix} wide />
        <ChartPanel name="sankey" title={t('dashboard.sankey')} option={o.sankey} />
        <ChartPanel name="pyramid" title={t('dashboard.pyramid')} option={o.pyramid} />
        <ChartPanel name="pareto" title={t('dashboard.pareto')} option={o.pareto} />
        <ChartPanel name="clv" title={t('dashboard.clvDist')} option={o.clv} />
        <ChartPanel
          name="cohorts"
          title={t('dashboard.cohorts')}
          option={o.cohorts}
          wide
          height={420}
        />
        <ChartPanel name="atRisk" title={t('dashboard.atRisk')} option={o.atRisk} />
        <Panel title={t('dashboard.atRisk')}>
          <ol className="compact-list">
            {(d.atRisk ?? []).slice(0, 8).map((c) => (
              <li key={c.customerId}>
                <Link href={`/customers/${encodeURIComponent(c.customerId)}`}>
                  {c.name || c.customerId}
                </Link>{' '}
                <span className="muted">{formatMoney(c.valueAtRiskMinor)}</span>
              </li>
            ))}
          </ol>
        </Panel>
        <ChartPanel name="region" title={t('dashboard.byRegion')} option={o.region} height={420} />
        <ChartPanel name="ageBand" title={t('dashboard.byAge')} option={o.ageBand} />
        <ChartPanel name="industry" title={t('dashboard.byIndustry')} option={o.industry} />
      </div>
    </>
  );
}

export function DashboardPage() {
  const { t } = useTranslation();
  const q = useDashboard();
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('dashboard.title')}</h1>
        {q.data?.asOf && (
          <span className="muted">{t('common.asOf', { date: formatDate(q.data.asOf) })}</span>
        )}
      </div>
      <QueryState
        query={q}
        skeletonHeight={480}
        isEmpty={(d) => !d.kpis}
        empty={t('dashboard.noAnalysis')}
      >
        {(d) => <DashboardBody d={d} />}
      </QueryState>
    </div>
  );
}
