/** Churn warnings by level with reasons and value at risk; resolve; the backtest when the server has one. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api } from '../api/client.js';
import { useAlerts, useResolveAlert } from '../api/hooks.js';
import { useRole } from '../auth.js';
import { Chart } from '../components/chart.js';
import { Empty, ErrorBox, Panel, QueryState, RiskBadge } from '../components/ui.js';
import { formatDateTime, formatMoney, formatNumber } from '../format.js';
import { localised } from '../labels.js';

interface Backtest {
  auc?: number;
  roc?: { fpr: number; tpr: number }[];
  liftByDecile?: { decile: number; lift: number }[];
  calibration?: { predicted: number; observed: number }[];
}

function reasonText(r: unknown): string {
  if (typeof r === 'string') return r;
  const o = (r ?? {}) as Record<string, unknown>;
  return localised(o.text ?? o.reason ?? o.label ?? o.message ?? '');
}

export function ChurnPage() {
  const { t } = useTranslation();
  const role = useRole();
  const [level, setLevel] = useState('');
  const alerts = useAlerts({ level: level || undefined, status: 'open' });
  const resolve = useResolveAlert();
  const backtest = useQuery({
    queryKey: ['churn-backtest'],
    queryFn: () => api<Backtest>('/api/churn/backtest'),
    retry: false,
  });
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('churn.title')}</h1>
        <label className="filter">
          <span>{t('churn.level')}</span>
          <select
            value={level}
            onChange={(e) => setLevel(e.target.value)}
            aria-label={t('churn.level')}
          >
            <option value="">{t('common.all')}</option>
            {['high', 'medium', 'low'].map((l) => (
              <option key={l} value={l}>
                {t(`level.${l}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Panel title={t('churn.title')} wide>
        <QueryState query={alerts} isEmpty={(a) => a.length === 0} empty={t('churn.empty')}>
          {(list) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('tasks.customer')}</th>
                    <th scope="col">{t('churn.level')}</th>
                    <th scope="col">{t('churn.reasons')}</th>
                    <th scope="col">{t('churn.valueAtRisk')}</th>
                    <th scope="col">{t('analysis.started')}</th>
                    <th scope="col" />
                  </tr>
                </thead>
                <tbody>
                  {list.map((a) => (
                    <tr key={`${a.customerId}-${a.alertId}`}>
                      <td>
                        <Link href={`/customers/${encodeURIComponent(a.customerId)}`}>
                          {a.customerName || a.customerId}
                        </Link>
                      </td>
                      <td>
                        <RiskBadge level={a.level} />
                      </td>
                      <td className="small">{(a.reasons ?? []).map(reasonText).join('；')}</td>
                      <td className="num">{formatMoney(a.valueAtRiskMinor)}</td>
                      <td>{formatDateTime(a.raisedAt)}</td>
                      <td>
                        {role !== 'analyst' && (
                          <button
                            type="button"
                            onClick={() =>
                              resolve.mutate({ alertId: a.alertId, customerId: a.customerId })
                            }
                          >
                            {t('churn.resolve')}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
        {resolve.error && <ErrorBox error={resolve.error} />}
      </Panel>
      {role !== 'agent' && (
        <div className="grid">
          <Panel
            title={`${t('churn.roc')}${backtest.data?.auc != null ? ` (AUC ${formatNumber(backtest.data.auc, { digits: 3 })})` : ''}`}
          >
            <QueryState query={backtest} isEmpty={(b) => !b.roc?.length}>
              {(b) => (
                <Chart
                  name="roc"
                  label={t('churn.roc')}
                  option={{
                    grid: { left: 40, right: 16, top: 8, bottom: 32 },
                    xAxis: { type: 'value', min: 0, max: 1 },
                    yAxis: { type: 'value', min: 0, max: 1 },
                    series: [
                      {
                        type: 'line',
                        showSymbol: false,
                        data: (b.roc ?? []).map((p) => [p.fpr, p.tpr]),
                      },
                      {
                        type: 'line',
                        showSymbol: false,
                        lineStyle: { type: 'dashed' },
                        data: [
                          [0, 0],
                          [1, 1],
                        ],
                      },
                    ],
                  }}
                />
              )}
            </QueryState>
          </Panel>
          <Panel title={t('churn.lift')}>
            <QueryState query={backtest} isEmpty={(b) => !b.liftByDecile?.length}>
              {(b) => (
                <Chart
                  name="lift"
                  label={t('churn.lift')}
                  option={{
                    grid: { left: 40, right: 16, top: 8, bottom: 32 },
                    xAxis: {
                      type: 'category',
                      data: (b.liftByDecile ?? []).map((d) => String(d.decile)),
                    },
                    yAxis: { type: 'value' },
                    series: [{ type: 'bar', data: (b.liftByDecile ?? []).map((d) => d.lift) }],
                  }}
                />
              )}
            </QueryState>
          </Panel>
          <Panel title={t('churn.calibration')}>
            <QueryState query={backtest} isEmpty={(b) => !b.calibration?.length}>
              {(b) =>
                b.calibration?.length ? (
                  <Chart
                    name="calibration"
                    label={t('churn.calibration')}
                    option={{
                      grid: { left: 40, right: 16, top: 8, bottom: 32 },
                      xAxis: { type: 'value', min: 0, max: 1 },
                      yAxis: { type: 'value', min: 0, max: 1 },
                      series: [
                        {
                          type: 'scatter',
                          data: b.calibration.map((p) => [p.predicted, p.observed]),
                        },
                        {
                          type: 'line',
                          showSymbol: false,
                          lineStyle: { type: 'dashed' },
                          data: [
                            [0, 0],
                            [1, 1],
                          ],
                        },
                      ],
                    }}
                  />
                ) : (
                  <Empty />
                )
              }
            </QueryState>
          </Panel>
        </div>
      )}
    </div>
  );
}
