/** Run the analysis and follow its progress; the last runs with their results. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAnalysisRuns, useStartAnalysis } from '../api/hooks.js';
import type { AnalysisRun } from '../api/types.js';
import { useRole } from '../auth.js';
import { Badge, ErrorBox, Panel, QueryState } from '../components/ui.js';
import { formatDateTime } from '../format.js';

function progressOf(r: AnalysisRun): { text: string; share: number | null } {
  const p = r.progress;
  if (Array.isArray(p) && p.length) {
    const last = p[p.length - 1];
    const share = last.total ? (last.done ?? 0) / last.total : null;
    return { text: last.step ?? '', share };
  }
  return { text: '', share: null };
}

export function AnalysisPage() {
  const { t } = useTranslation();
  const role = useRole();
  const runs = useAnalysisRuns();
  const start = useStartAnalysis();
  const [asOf, setAsOf] = useState('');
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('analysis.title')}</h1>
      </div>
      {role !== 'agent' && (
        <Panel title={t('analysis.run')}>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              start.mutate({ asOf: asOf || undefined });
            }}
          >
            <label>
              {t('analysis.asOf')}
              <input type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
            </label>
            <button type="submit" className="primary" disabled={start.isPending}>
              {start.isPending ? t('analysis.running') : t('analysis.run')}
            </button>
          </form>
          {start.error && <ErrorBox error={start.error} />}
        </Panel>
      )}
      <Panel title={t('analysis.lastRuns')} wide>
        <QueryState query={runs} isEmpty={(l) => l.length === 0}>
          {(list) => (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('analysis.asOf')}</th>
                  <th scope="col">{t('analysis.status')}</th>
                  <th scope="col">{t('analysis.progress')}</th>
                  <th scope="col">{t('analysis.started')}</th>
                  <th scope="col">{t('analysis.finished')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => {
                  const p = progressOf(r);
                  return (
                    <tr key={r.runId}>
                      <td>{r.asOf}</td>
                      <td>
                        <Badge
                          tone={
                            r.status === 'failed' ? 'bad' : r.status === 'succeeded' ? 'ok' : 'warn'
                          }
                        >
                          {t(`analysis.${r.status}`, { defaultValue: r.status })}
                        </Badge>
                        {r.error && <div className="small error-text">{r.error}</div>}
                      </td>
                      <td>
                        {r.status === 'running' && (
                          <progress
                            aria-label={t('analysis.progress')}
                            value={p.share ?? undefined}
                            max={p.share == null ? undefined : 1}
                          />
                        )}{' '}
                        <span className="small">{p.text}</span>
                      </td>
                      <td>{formatDateTime(r.startedAt)}</td>
                      <td>{formatDateTime(r.finishedAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </QueryState>
      </Panel>
    </div>
  );
}
