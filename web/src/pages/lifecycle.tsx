/** Stage model with thresholds (admin edits with a preview), playbooks, funnel, dwell, trajectories. */

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.js';
import { type StageModelDoc, useStageModels, useStageReport } from '../api/hooks.js';
import { useRole } from '../auth.js';
import { Chart } from '../components/chart.js';
import { Empty, ErrorBox, Panel, QueryState } from '../components/ui.js';
import { formatNumber } from '../format.js';
import { localised, stageColour, stageName } from '../labels.js';

function playbookRows(m: StageModelDoc) {
  const stages = m.playbook?.stages ?? {};
  const order = (m.definition.stages ?? []).map((x) => x.code);
  return Object.entries(stages)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([stage, v]) => ({ stage, ...v }));
}

function modelStageName(m: StageModelDoc, code: string): string {
  const s = m.definition.stages?.find((x) => x.code === code);
  return s?.name ? localised(s.name) : stageName(code);
}

function Thresholds({ m }: { m: StageModelDoc }) {
  const { t } = useTranslation();
  const role = useRole();
  const qc = useQueryClient();
  const initial = m.definition.thresholds ?? {};
  const [values, setValues] = useState<Record<string, number>>(initial);
  const changed = Object.entries(values).filter(([k, v]) => initial[k] !== v);
  const preview = useMutation({
    mutationFn: () =>
      api<{ wouldMove?: number; moved?: number; count?: number }>(
        `/api/stage-models/${encodeURIComponent(m.key)}/preview`,
        {
          method: 'POST',
          body: { thresholds: Object.fromEntries(changed) },
        },
      ),
  });
  const save = useMutation({
    mutationFn: () =>
      api<unknown>(`/api/stage-models/${encodeURIComponent(m.key)}`, {
        method: 'PATCH',
        body: { thresholds: Object.fromEntries(changed) },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['stage-models'] }),
  });
  const editable = role === 'admin';
  const entries = Object.entries(values);
  if (!entries.length) return <Empty />;
  const moved = preview.data?.wouldMove ?? preview.data?.moved ?? preview.data?.count;
  return (
    <div>
      {!editable && <p className="muted small">{t('lifecycle.adminOnly')}</p>}
      <table className="table">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">
                <label htmlFor={`th-${k}`}>{k}</label>
              </th>
              <td>
                <input
                  id={`th-${k}`}
                  type="number"
                  step="any"
                  value={v}
                  disabled={!editable}
                  onChange={(e) => setValues((s) => ({ ...s, [k]: Number(e.target.value) }))}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editable && (
        <div className="row">
          <button
            type="button"
            disabled={!changed.length || preview.isPending}
            onClick={() => preview.mutate()}
          >
            {t('lifecycle.preview')}
          </button>
          <button
            type="button"
            className="primary"
            disabled={!changed.length || save.isPending}
            onClick={() => save.mutate()}
          >
            {t('lifecycle.saveThresholds')}
          </button>
          {moved != null && <span role="status">{t('lifecycle.wouldMove', { count: moved })}</span>}
        </div>
      )}
      {preview.error && <ErrorBox error={preview.error} />}
      {save.error && <ErrorBox error={save.error} />}
    </div>
  );
}

export function LifecyclePage() {
  const { t } = useTranslation();
  const models = useStageModels();
  const report = useStageReport();
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('lifecycle.title')}</h1>
      </div>
      <div className="grid">
        <Panel title={t('lifecycle.model')}>
          <QueryState query={models} isEmpty={(ms) => ms.length === 0}>
            {(ms) => {
              const m =
                ms.find((x) => x.key === selected) ?? ms.find((x) => x.enabled !== false) ?? ms[0];
              return (
                <>
                  <label>
                    <span className="sr-only">{t('lifecycle.model')}</span>
                    <select
                      aria-label={t('lifecycle.model')}
                      value={m.key}
                      onChange={(e) => setSelected(e.target.value)}
                    >
                      {ms.map((x) => (
                        <option key={x.key} value={x.key}>
                          {localised(x.definition.name) || x.key} {x.version ? `v${x.version}` : ''}
                        </option>
                      ))}
                    </select>
                  </label>
                  <h3>{t('lifecycle.thresholds')}</h3>
                  <Thresholds key={`${m.key}-${m.version}`} m={m} />
                </>
              );
            }}
          </QueryState>
        </Panel>
        <Panel title={t('lifecycle.playbooks')} wide>
          <QueryState query={models} isEmpty={(ms) => ms.length === 0}>
            {(ms) => {
              const m =
                ms.find((x) => x.key === selected) ?? ms.find((x) => x.enabled !== false) ?? ms[0];
              const rows = playbookRows(m);
              if (!rows.length) return <Empty />;
              return (
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">{t('customers.stage')}</th>
                      <th scope="col">{t('lifecycle.goal')}</th>
                      <th scope="col">{t('lifecycle.actions')}</th>
                      <th scope="col">{t('lifecycle.kpi')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.stage}>
                        <td>{modelStageName(m, r.stage)}</td>
                        <td>{localised(r.goal)}</td>
                        <td>
                          {(r.actions ?? [])
                            .map((a) => localised((a as { title?: unknown })?.title ?? a))
                            .join('；')}
                        </td>
                        <td>{localised(r.kpi)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              );
            }}
          </QueryState>
        </Panel>
        <Panel title={t('lifecycle.funnel')}>
          <QueryState query={report} isEmpty={(r) => !r.funnel?.length}>
            {(r) => (
              <Chart
                name="funnel"
                label={t('lifecycle.funnel')}
                option={{
                  tooltip: { trigger: 'item' },
                  series: [
                    {
                      type: 'funnel',
                      sort: 'none',
                      data: (r.funnel ?? []).map((f) => ({
                        name: localised(f),
                        value: f.reached,
                        itemStyle: { color: stageColour(f.stage) },
                      })),
                    },
                  ],
                }}
              />
            )}
          </QueryState>
        </Panel>
        <Panel title={t('lifecycle.dwell')}>
          <QueryState query={report} isEmpty={(r) => !r.dwell?.length}>
            {(r) => (
              <Chart
                name="dwell"
                label={t('lifecycle.dwell')}
                option={{
                  tooltip: { trigger: 'axis' },
                  grid: { left: 72, right: 16, top: 8, bottom: 24 },
                  xAxis: { type: 'value' },
                  yAxis: { type: 'category', data: (r.dwell ?? []).map((x) => localised(x)) },
                  series: [{ type: 'bar', data: (r.dwell ?? []).map((x) => x.medianDays) }],
                }}
              />
            )}
          </QueryState>
        </Panel>
        <Panel title={t('lifecycle.trajectories')}>
          <QueryState query={report} isEmpty={(r) => !r.trajectories?.length}>
            {(r) => (
              <table className="table">
                <tbody>
                  {(r.trajectories ?? []).map((x) => (
                    <tr key={x.pattern}>
                      <td>{localised(x)}</td>
                      <td className="num">{formatNumber(x.customers)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </Panel>
      </div>
    </div>
  );
}
