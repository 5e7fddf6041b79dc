/**
 * One campaign's results (issue 9 §4): treatment vs control bars, the conversion uplift with its
 * 95 % interval drawn, revenue per customer, cost and ROI from GET /api/campaigns/{id}/report;
 * the contact list to download and sending through webhooks.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import {
  type CampaignReport,
  contactsUrl,
  useCampaign,
  useCampaignReport,
  useSendCampaign,
} from '../api/campaigns.js';
import { useRole } from '../auth.js';
import { Chart, type ChartOption } from '../components/chart.js';
import { Empty, ErrorBox, KpiCard, Panel, QueryState } from '../components/ui.js';
import { formatDate, formatMoney, formatNumber, formatPercent } from '../format.js';
import { tierName } from '../labels.js';
import { formatPoints, PhaseBadge } from './campaigns.js';

const TREATMENT = '#2563eb';
const CONTROL = '#9ca3af';

function armsOption(r: CampaignReport, t: (k: string) => string): ChartOption {
  const measured = r.treatment.retentionRate !== null && r.control.retentionRate !== null;
  const categories = [t('campaigns.conversion'), ...(measured ? [t('campaigns.retention')] : [])];
  const values = (a: CampaignReport['treatment']) => [
    a.conversionRate,
    ...(measured ? [a.retentionRate as number] : []),
  ];
  const label = {
    show: true,
    position: 'top',
    formatter: (p: { value: number }) => formatPercent(p.value),
  };
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatPercent(v) },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: categories },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatPercent(v, 0) } },
    series: [
      {
        name: t('campaigns.treatment'),
        type: 'bar',
        data: values(r.treatment),
        itemStyle: { color: TREATMENT },
        label,
      },
      {
        name: t('campaigns.control'),
        type: 'bar',
        data: values(r.control),
        itemStyle: { color: CONTROL },
        label,
      },
    ],
  };
}

function revenueOption(r: CampaignReport, t: (k: string) => string): ChartOption {
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatMoney(v) },
    grid: { left: 64, right: 16, top: 24, bottom: 28 },
    xAxis: { type: 'category', data: [t('campaigns.treatment'), t('campaigns.control')] },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatMoney(v) } },
    series: [
      {
        name: t('campaigns.revenuePerCustomer'),
        type: 'bar',
        data: [
          { value: r.treatment.revenuePerCustomerMinor, itemStyle: { color: TREATMENT } },
          { value: r.control.revenuePerCustomerMinor, itemStyle: { color: CONTROL } },
        ],
        label: {
          show: true,
          position: 'top',
          formatter: (p: { value: number }) => formatMoney(p.value),
        },
      },
    ],
  };
}

/**
 * The uplift as a point with its interval as a line through it, against a line at zero: an
 * interval clear of zero is an effect the hold-out can tell from chance.
 */
function upliftOption(
  u: NonNullable<CampaignReport['uplift']['conversion']>,
  t: (k: string) => string,
): ChartOption {
  const row = t('campaigns.upliftConversion');
  const pts = (v: number) => formatPoints(v);
  const span = Math.max(Math.abs(u.low), Math.abs(u.high), 0.01) * 1.25;
  return {
    tooltip: { trigger: 'item' },
    grid: { left: 96, right: 24, top: 16, bottom: 32 },
    xAxis: {
      type: 'value',
      min: Math.min(-span * 0.2, u.low - span * 0.1),
      max: u.high + span * 0.1,
      axisLabel: { formatter: pts },
    },
    yAxis: { type: 'category', data: [row] },
    series: [
      {
        name: '95% CI',
        type: 'line',
        data: [
          [u.low, row],
          [u.high, row],
        ],
        symbol: 'rect',
        symbolSize: [2, 18],
        lineStyle: { width: 3, color: TREATMENT },
        itemStyle: { color: TREATMENT },
        tooltip: { valueFormatter: pts },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: '#dc2626', type: 'dashed' },
          label: { formatter: '0' },
          data: [{ xAxis: 0 }],
        },
      },
      {
        name: row,
        type: 'scatter',
        data: [[u.difference, row]],
        symbolSize: 14,
        itemStyle: { color: TREATMENT },
        label: {
          show: true,
          position: 'top',
          formatter: () => pts(u.difference),
        },
      },
    ],
  };
}

function Results({ r }: { r: CampaignReport }) {
  const { t } = useTranslation();
  const u = r.uplift.conversion;
  const rev = r.uplift.revenuePerCustomerMinor;
  const converted = r.treatment.converted + r.control.converted;
  const arms = useMemo(() => armsOption(r, t), [r, t]);
  const revenue = useMemo(() => revenueOption(r, t), [r, t]);
  const uplift = useMemo(() => (u ? upliftOption(u, t) : null), [u, t]);
  return (
    <>
      {!r.window.complete && <p className="muted">{t('campaigns.stillRunning')}</p>}
      <div className="kpis" data-testid="campaign-kpis">
        <div data-testid="campaign-uplift" data-value={u?.difference ?? ''}>
          <KpiCard
            label={t('campaigns.upliftConversion')}
            value={u ? t('campaigns.pts', { value: formatPoints(u.difference) }) : '—'}
            hint={
              u ? t('campaigns.ci', { low: formatPoints(u.low), high: formatPoints(u.high) }) : ''
            }
          />
        </div>
        <KpiCard
          label={t('campaigns.upliftRevenue')}
          value={rev ? formatMoney(rev.difference, { exact: true }) : '—'}
          hint={
            rev
              ? t('campaigns.ci', {
                  low: formatMoney(rev.low, { exact: true }),
                  high: formatMoney(rev.high, { exact: true }),
                })
              : ''
          }
        />
        <KpiCard label={t('campaigns.totalCost')} value={formatMoney(r.costMinor)} />
        <KpiCard
          label={t('campaigns.roi')}
          value={r.roi === null ? '—' : formatPercent(r.roi, 0)}
          hint={`${t('campaigns.incrementalMargin')} ${formatMoney(r.incrementalMarginMinor)}`}
        />
      </div>
      {converted === 0 && <Empty>{t('campaigns.noConversions')}</Empty>}
      <div className="grid">
        <Panel title={t('campaigns.armsChart')}>
          <Chart name="campaignArms" option={arms} label={t('campaigns.armsChart')} height={280} />
        </Panel>
        <Panel title={t('campaigns.revenuePerCustomer')}>
          <Chart
            name="campaignRevenue"
            option={revenue}
            label={t('campaigns.revenuePerCustomer')}
            height={280}
          />
        </Panel>
        <Panel title={t('campaigns.upliftChart')} wide>
          {uplift ? (
            <Chart
              name="campaignUplift"
              option={uplift}
              label={t('campaigns.upliftChart')}
              height={160}
            />
          ) : (
            <Empty>{t('campaigns.notMeasured')}</Empty>
          )}
        </Panel>
        <Panel title={t('campaigns.armsChart')} wide>
          <div className="table-wrap">
            <table className="table" data-testid="campaign-arms">
              <thead>
                <tr>
                  <th scope="col" />
                  <th scope="col">{t('campaigns.members')}</th>
                  <th scope="col">{t('campaigns.contacted')}</th>
                  <th scope="col">{t('campaigns.responded')}</th>
                  <th scope="col">{t('campaigns.converted')}</th>
                  <th scope="col">{t('campaigns.conversion')}</th>
                  <th scope="col">{t('campaigns.revenuePerCustomer')}</th>
                  <th scope="col">{t('campaigns.retention')}</th>
                </tr>
              </thead>
              <tbody>
                {(['treatment', 'control'] as const).map((arm) => (
                  <tr key={arm}>
                    <th scope="row">{t(`campaigns.${arm}`)}</th>
                    <td>{formatNumber(r[arm].members)}</td>
                    <td>{formatNumber(r[arm].contacted)}</td>
                    <td>{formatNumber(r[arm].responded)}</td>
                    <td>{formatNumber(r[arm].converted)}</td>
                    <td>{formatPercent(r[arm].conversionRate)}</td>
                    <td>{formatMoney(r[arm].revenuePerCustomerMinor)}</td>
                    <td>{formatPercent(r[arm].retentionRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
      </div>
    </>
  );
}

export function CampaignResultsPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const role = useRole();
  const campaign = useCampaign(id);
  const report = useCampaignReport(id);
  const send = useSendCampaign(id);
  const canWrite = role === 'admin' || role === 'manager';
  return (
    <div className="page">
      <p>
        <Link href="/campaigns">{t('campaigns.back')}</Link>
      </p>
      <QueryState query={campaign}>
        {(c) => (
          <>
            <div className="page-head">
              <h1 data-testid="campaign-name">
                {c.name} <PhaseBadge phase={c.phase} />
              </h1>
              <div className="actions">
                <span className="muted">{t('campaigns.export')}</span>
                <a className="button" href={contactsUrl(id, 'csv')} download>
                  {t('common.exportCsv')}
                </a>
                <a className="button" href={contactsUrl(id, 'xlsx')} download>
                  {t('common.exportXlsx')}
                </a>
                {canWrite && (
                  <button
                    type="button"
                    className="primary"
                    disabled={send.isPending}
                    onClick={() => send.mutate()}
                  >
                    {send.isPending ? t('campaigns.sending') : t('campaigns.send')}
                  </button>
                )}
              </div>
            </div>
            <p className="muted">
              {t('campaigns.window')} {formatDate(c.startsAt)} – {formatDate(c.endsAt)} ·{' '}
              {t('campaigns.groups')} {formatNumber(c.members.treatment)} /{' '}
              {formatNumber(c.members.control)} · {t('campaigns.holdout')}{' '}
              {formatPercent(c.holdoutShare, 0)}
              {c.progress &&
                ` · ${t('campaigns.contacted')} ${formatNumber(c.progress.contacted)} · ${t('campaigns.sent')} ${formatNumber(c.progress.sent)}`}
            </p>
            {send.data && (
              <p role="status" data-testid="send-result">
                {t('campaigns.sentResult', {
                  events: send.data.events,
                  already: send.data.alreadySent,
                  deliveries: send.data.deliveries,
                })}
                {send.data.events > 0 && send.data.deliveries === 0 && (
                  <span className="muted"> {t('campaigns.noSubscribers')}</span>
                )}
              </p>
            )}
            {send.error && <ErrorBox error={send.error} />}
            <details>
              <summary>{t('campaigns.byTier')}</summary>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('campaigns.tier')}</th>
                    <th scope="col">{t('campaigns.treatment')}</th>
                    <th scope="col">{t('campaigns.control')}</th>
                  </tr>
                </thead>
                <tbody>
                  {c.byTier.map((b) => (
                    <tr key={b.tier ?? '-'}>
                      <td>{tierName(b.tier)}</td>
                      <td>{formatNumber(b.treatment)}</td>
                      <td>{formatNumber(b.control)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </>
        )}
      </QueryState>
      <QueryState query={report} skeletonHeight={280}>
        {(r) => <Results r={r} />}
      </QueryState>
    </div>
  );
}
