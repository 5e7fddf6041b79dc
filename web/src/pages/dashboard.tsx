/** The state of the customer base at a glance (SPEC §1 manager; issue 8 "Dashboard"). */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { type Dashboard, useDashboard, useStageReport } from '../api/hooks.js';
import { Chart, type ChartOption } from '../components/chart.js';
import { Empty, KpiCard, Panel, QueryState } from '../components/ui.js';
import { formatChange, formatDate, formatMoney, formatNumber, formatPercent } from '../format.js';
import { stageColour, stageName, tierName } from '../labels.js';
import { countsByMapName } from '../province-names.js';
import { dashboardKpis, valueAtRisk } from './dashboard-kpis.js';

function KpiRow({ d }: { d: Dashboard }) {
  const { t } = useTranslation();
  const k = dashboardKpis(d);
  const cards: [string, string, (v: number | null) => string, string?][] = [
    ['customers', t('kpi.customers'), (v) => formatNumber(v, { compact: true })],
    ['active', t('kpi.active'), (v) => formatNumber(v, { compact: true })],
    ['newThisMonth', t('kpi.newThisMonth'), (v) => formatNumber(v)],
    [
      'churnRate',
      t('kpi.churnRate'),
      (v) => formatPercent(v),
      k.churnRate.value == null ? t('kpi.needsHistory') : t('kpi.churnHint'),
    ],
    ['retentionRate', t('kpi.retentionRate'), (v) => formatPercent(v)],
    [
      'groupLifetimeYears',
      t('kpi.groupLifetime'),
      (v) => (v == null ? '—' : t('kpi.years', { n: formatNumber(v, { digits: 1 }) })),
      t('kpi.lifetimeHint'),
    ],
    ['revenueMinor', t('kpi.revenue'), (v) => formatMoney(v), t('kpi.revenueHint')],
    ['avgClvMinor', t('kpi.avgClv'), (v) => formatMoney(v), t('kpi.clvHint')],
  ];
  return (
    <div className="kpis" data-testid="kpis">
      {cards.map(([key, label, fmt, hint]) => (
        <KpiCard
          key={key}
          label={label}
          value={fmt(k[key].value)}
          change={formatChange(k[key].value, k[key].previous)}
          lowerIsBetter={key === 'churnRate'}
          hint={hint}
        />
      ))}
    </div>
  );
}

const money = (v: number) => formatMoney(v);
const axisMoney = { axisLabel: { formatter: (v: number) => formatMoney(v) } };

export function dashboardOptions(
  d: Dashboard,
  t: (k: string) => string,
): Record<string, ChartOption | null> {
  const o: Record<string, ChartOption | null> = {};
  const dates = d.stageMix?.dates ?? [];
  const codes = [...new Set(dates.flatMap((x) => Object.keys(x.stages)))];
  const order = ['prospect', 'exploration', 'formation', 'stability', 'decline', 'churned'];
  codes.sort(
    (a, b) =>
      order.indexOf(a) +
      99 * +(order.indexOf(a) < 0) -
      (order.indexOf(b) + 99 * +(order.indexOf(b) < 0)),
  );
  o.stageMix = dates.length
    ? {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 56, right: 16, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: dates.map((x) => x.date.slice(0, 7)) },
        yAxis: {
          type: 'value',
          axisLabel: { formatter: (v: number) => formatNumber(v, { compact: true }) },
        },
        series: codes.map((code) => ({
          name: stageName(code),
          type: 'bar',
          stack: 'stage',
          data: dates.map((x) => x.stages[code] ?? 0),
          itemStyle: { color: stageColour(code) },
        })),
      }
    : null;
  const links = (d.transitions ?? []).filter((l) => l.count > 0 && l.from && l.from !== l.to);
  const nodeNames = [...new Set(links.flatMap((l) => [l.from as string, l.to]))];
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
  // the pyramid: the few most valuable on top; "not tiered" only when nothing is tiered
  const tiered = (d.tiers ?? []).filter((x) => x.tier !== 'unassigned');
  const tiers = tiered.length ? tiered : (d.tiers ?? []);
  o.pyramid = tiers.length
    ? {
        tooltip: { trigger: 'item' },
        series: [
          {
            type: 'funnel',
            sort: 'ascending',
            minSize: '15%',
            label: { formatter: '{b}: {c}' },
            data: tiers.map((p) => ({
              name: tierName(p.tier),
              value: p.customers,
              clvMinor: p.clvMinor,
            })),
          },
        ],
      }
    : null;
  const pareto = d.pareto ?? [];
  o.pareto = pareto.length
    ? {
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatPercent(v) },
        legend: { top: 0 },
        grid: { left: 56, right: 16, top: 32, bottom: 40 },
        xAxis: {
          type: 'value',
          name: t('dashboard.customersShare'),
          nameLocation: 'middle',
          nameGap: 26,
          max: 1,
          axisLabel: { formatter: (v: number) => formatPercent(v, 0) },
        },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatPercent(v, 0) } },
        series: [
          {
            name: t('dashboard.revenueShare'),
            type: 'line',
            showSymbol: false,
            data: [[0, 0], ...pareto.map((p) => [p.customerShare, p.revenueShare])],
            markLine: {
              silent: true,
              symbol: 'none',
              label: { show: false },
              data: [{ xAxis: 0.2 }, { yAxis: 0.8 }],
            },
          },
          {
            name: t('dashboard.clvShare'),
            type: 'line',
            showSymbol: false,
            data: [[0, 0], ...pareto.map((p) => [p.customerShare, p.clvShare])],
          },
        ],
      }
    : null;
  const cohorts = (d.cohorts ?? []).filter((c) => c.size > 0);
  const maxMonths = Math.max(0, ...cohorts.map((c) => c.active.length));
  o.cohorts = cohorts.length
    ? {
        tooltip: {
          position: 'top',
          formatter: (p: { value: number[] }) => formatPercent(p.value[2]),
        },
        grid: { left: 72, right: 16, top: 16, bottom: 72 },
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
            data: cohorts.flatMap((c, y) => c.active.map((a, x) => [x, y, a / c.size])),
          },
        ],
      }
    : null;
  const clv = d.clvHistogram ?? [];
  o.clv = clv.length
    ? {
        tooltip: { trigger: 'axis' },
        grid: { left: 48, right: 16, top: 16, bottom: 56 },
        xAxis: {
          type: 'category',
          data: clv.map((b) => `${money(b.fromMinor)}–${money(b.toMinor)}`),
          axisLabel: { rotate: 30 },
        },
        yAxis: { type: 'value' },
        series: [
          { type: 'bar', data: clv.map((b) => b.customers), itemStyle: { color: '#2563eb' } },
        ],
      }
    : null;
  const atRisk = [...(d.atRisk ?? [])].sort((a, b) => valueAtRisk(b) - valueAtRisk(a)).slice(0, 15);
  o.atRisk = atRisk.length
    ? {
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatMoney(v) },
        grid: { left: 96, right: 24, top: 8, bottom: 24 },
        xAxis: { type: 'value', ...axisMoney },
        yAxis: { type: 'category', inverse: true, data: atRisk.map((c) => c.name || c.customerId) },
        series: [
          {
            type: 'bar',
            data: atRisk.map((c) => Math.round(valueAtRisk(c))),
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
          grid: { left: 80, right: 16, top: 8, bottom: 24 },
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
  onRendered,
}: {
  onRendered?: () => void;
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
        <Chart name={name} option={option} label={title} height={height} onRendered={onRendered} />
      ) : (
        <Empty>{t('common.empty')}</Empty>
      )}
    </Panel>
  );
}

/**
 * Customers by province on a map of China. The outlines come in their own chunk, fetched when
 * the panel comes near the viewport (it is below the fold, so the first load does not wait for
 * it); the bar chart by province beside it stays the accessible and exact view.
 */
function RegionMap({ rows }: { rows: Dashboard['breakdowns'][string] }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const [names, setNames] = useState<readonly string[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let live = true;
    const io = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        io.disconnect();
        import('../components/china-map.js').then(
          (m) => live && setNames(m.CHINA_PROVINCES),
          () => live && setFailed(true),
        );
      },
      { rootMargin: '200px' },
    );
    io.observe(el);
    return () => {
      live = false;
      io.disconnect();
    };
  }, []);
  const counts = useMemo(
    () =>
      names &&
      countsByMapName(
        rows.map((r) => ({ key: String(r.key ?? ''), customers: r.customers })),
        names,
      ),
    [rows, names],
  );
  const option = useMemo<ChartOption | null>(
    () =>
      counts && {
        tooltip: { trigger: 'item', formatter: '{b}: {c}' },
        visualMap: {
          min: 0,
          max: Math.max(1, ...counts.data.map((x) => x.value)),
          left: 8,
          bottom: 8,
          calculable: true,
          inRange: { color: ['#ccfbf1', '#0f766e'] },
        },
        series: [{ type: 'map', map: 'china', data: counts.data }],
      },
    [counts],
  );
  const left = counts?.unmatched.reduce((a, r) => a + r.customers, 0) ?? 0;
  return (
    <Panel title={t('customerTable.mapTitle')}>
      <div ref={ref} />
      {failed ? (
        <Empty>{t('customerTable.mapFailed')}</Empty>
      ) : option ? (
        <Chart name="regionMap" option={option} label={t('customerTable.mapLabel')} height={420} />
      ) : (
        // not aria-busy: nothing loads until the panel is scrolled near
        <div className="skeleton" style={{ height: 420 }} aria-hidden="true" />
      )}
      {left > 0 && <p className="muted">{t('customerTable.mapUnmatched', { count: left })}</p>}
    </Panel>
  );
}

function DashboardBody({ d: served }: { d: Dashboard }) {
  const { t, i18n } = useTranslation();
  // transitions come with the dashboard or, failing that, from the lifecycle report
  const stages = useStageReport();
  const d = useMemo<Dashboard>(
    () =>
      served.transitions?.length || !stages.data
        ? served
        : {
            ...served,
            transitions: stages.data.transitions.counts.map((c) => ({
              from: c.from,
              to: c.to,
              count: c.customers,
            })),
          },
    [served, stages.data],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: options are re-made when the language changes
  const o = useMemo(() => dashboardOptions(d, t), [d, t, i18n.language]);
  // what the browser test reads as "first load done": the first chart has drawn its data
  const markReady = useMemo(
    () => () => {
      if (!performance.getEntriesByName('tenure:dashboard-ready').length)
        performance.mark('tenure:dashboard-ready');
    },
    [],
  );
  return (
    <>
      <KpiRow d={d} />
      <div className="grid">
        <ChartPanel
          name="stageMix"
          title={t('dashboard.stageMix')}
          option={o.stageMix}
          wide
          onRendered={markReady}
        />
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
        <Panel title={t('dashboard.atRiskList')}>
          <ol className="compact-list">
            {[...(d.atRisk ?? [])]
              .sort((a, b) => valueAtRisk(b) - valueAtRisk(a))
              .slice(0, 8)
              .map((c) => (
                <li key={c.customerId}>
                  <Link href={`/customers/${encodeURIComponent(c.customerId)}`}>
                    {c.name || c.customerId}
                  </Link>{' '}
                  <span className="muted">{formatMoney(valueAtRisk(c))}</span>
                </li>
              ))}
          </ol>
        </Panel>
        <ChartPanel name="region" title={t('dashboard.byRegion')} option={o.region} height={420} />
        {d.breakdowns?.region?.length ? <RegionMap rows={d.breakdowns.region} /> : null}
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
        isEmpty={(d) => !d.asOf}
        empty={t('dashboard.noAnalysis')}
      >
        {(d) => <DashboardBody d={d} />}
      </QueryState>
    </div>
  );
}
