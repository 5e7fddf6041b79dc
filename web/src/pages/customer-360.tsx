/** One customer on one page: what to do next in ten seconds (SPEC §1 account manager). */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError } from '../api/client.js';
import { useCreateTask, useCustomer360, useLogInteraction } from '../api/hooks.js';
import type { Customer360, StageTrack } from '../api/types.js';
import { Chart } from '../components/chart.js';
import { Badge, Empty, ErrorBox, KpiCard, Panel, RiskBadge, Skeleton } from '../components/ui.js';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from '../format.js';
import { localised, rfmName, stageColour, stageName, tierName } from '../labels.js';
import { NotFoundPage } from './not-found.js';

const INTERACTION_TYPES = [
  'call',
  'visit',
  'complaint',
  'email',
  'sms',
  'service',
  'survey',
  'referral',
] as const;

function reasonText(r: unknown): string {
  if (typeof r === 'string') return r;
  const o = (r ?? {}) as Record<string, unknown>;
  return localised(o.text ?? o.reason ?? o.label ?? o.message ?? JSON.stringify(o));
}

function NextAction({ track, id }: { track: StageTrack | undefined; id: string }) {
  const { t } = useTranslation();
  const create = useCreateTask(id);
  const a = track?.nextAction;
  if (!a) return <Empty />;
  const title = localised(a.action.title);
  return (
    <div className="next-action" data-testid="next-action">
      <p className="action-title">{title}</p>
      <p className="muted">{localised(a.reason)}</p>
      <p className="small muted">{localised(a.action.timing)}</p>
      {create.isSuccess ? (
        <p className="ok" role="status">
          {t('c360.taskCreated')}
        </p>
      ) : (
        <button
          type="button"
          className="primary"
          disabled={create.isPending}
          onClick={() =>
            create.mutate({
              type: 'follow-up',
              title,
              dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
            })
          }
        >
          {t('c360.createTask')}
        </button>
      )}
      {create.error && <ErrorBox error={create.error} />}
    </div>
  );
}

function LogInteraction({ id }: { id: string }) {
  const { t } = useTranslation();
  const log = useLogInteraction(id);
  const [type, setType] = useState<string>('call');
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState('');
  const [satisfaction, setSatisfaction] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    log.mutate(
      {
        type,
        note: note || undefined,
        outcome: outcome || undefined,
        satisfaction: satisfaction ? Number(satisfaction) : undefined,
      },
      {
        onSuccess: () => {
          setNote('');
          setOutcome('');
          setSatisfaction('');
        },
      },
    );
  };
  return (
    <form className="form" onSubmit={submit} aria-label={t('c360.logInteraction')}>
      <label>
        {t('c360.type')}
        <select name="type" value={type} onChange={(e) => setType(e.target.value)}>
          {INTERACTION_TYPES.map((k) => (
            <option key={k} value={k}>
              {t(`interaction.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('c360.note')}
        <textarea
          name="note"
          rows={3}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={2000}
        />
      </label>
      <div className="row">
        <label>
          {t('c360.outcome')}
          <input name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)} />
        </label>
        <label>
          {t('c360.satisfaction')}
          <select
            name="satisfaction"
            value={satisfaction}
            onChange={(e) => setSatisfaction(e.target.value)}
          >
            <option value="">—</option>
            {[1, 2, 3, 4, 5].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <button type="submit" className="primary" disabled={log.isPending}>
        {t('c360.submit')}
      </button>
      {log.isSuccess && (
        <span className="ok" role="status">
          {t('c360.logged')}
        </span>
      )}
      {log.error && <ErrorBox error={log.error} />}
    </form>
  );
}

function Body({ d, id }: { d: Customer360; id: string }) {
  const { t } = useTranslation();
  const c = d.customer;
  const cur = c.current ?? {};
  const track = d.stages?.[0];
  const stages = [...(track?.history ?? [])].sort((x, y) => y.at.localeCompare(x.at));
  const timeline = [...(d.timeline ?? [])].sort((x, y) => y.at.localeCompare(x.at));
  const stage = track?.current.stage ?? cur.stage;
  const v = d.value;
  const horizonMonths = Math.round((v?.horizonDays ?? 365) / 30.4);
  const history = v?.history ?? [];
  return (
    <>
      <header className="c360-head card">
        <div>
          <h1 data-testid="customer-name">{c.name || c.customerId}</h1>
          <p className="muted">
            {c.customerId} · {[c.province, c.city].filter(Boolean).join(' ')} ·{' '}
            {c.phones?.[0] ?? ''} {c.emails?.[0] ?? ''}
          </p>
        </div>
        <div className="badges">
          {stage && (
            <Badge colour={stageColour(stage)}>
              {track ? localised(track.current.name) : stageName(stage)}
            </Badge>
          )}
          {(v?.tier ?? cur.tier) && <Badge tone="muted">{tierName(v?.tier ?? cur.tier)}</Badge>}
          <RiskBadge
            level={d.risk?.warningLevel ?? cur.warningLevel}
            score={d.risk?.churnRisk ?? cur.churnRisk}
          />
          <span className="muted">
            {t('customers.owner')}: {c.ownerId ?? '—'}
          </span>
        </div>
      </header>
      <div className="grid">
        <Panel title={t('c360.nextAction')}>
          <NextAction track={track} id={id} />
        </Panel>
        <Panel title={t('c360.value')}>
          <div className="kpis small-kpis">
            <KpiCard
              label={t('c360.historicalRevenue')}
              value={formatMoney(d.totals?.revenueMinor)}
            />
            <KpiCard label={t('c360.orders')} value={formatNumber(d.totals?.orders)} />
            <KpiCard
              label={t('c360.clv', { months: horizonMonths })}
              value={formatMoney(v?.clvMinor ?? cur.clvMinor)}
            />
            <KpiCard
              label={t('c360.expectedPurchases', { months: horizonMonths })}
              value={formatNumber(v?.expectedPurchases, { digits: 2 })}
            />
            <KpiCard label={t('c360.pAlive')} value={formatPercent(v?.pAlive)} />
          </div>
          {history.length > 1 && (
            <Chart
              name="pAlive"
              label={t('c360.pAliveOverTime')}
              height={180}
              option={{
                tooltip: { trigger: 'axis' },
                grid: { left: 40, right: 8, top: 8, bottom: 24 },
                xAxis: { type: 'category', data: history.map((h) => h.asOf) },
                yAxis: { type: 'value', min: 0, max: 1 },
                series: [{ type: 'line', data: history.map((h) => h.pAlive), showSymbol: false }],
              }}
            />
          )}
        </Panel>
        <Panel title={t('c360.risk')}>
          {d.risk?.reasons?.length ? (
            <ul data-testid="risk-reasons">
              {d.risk.reasons.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: reasons have no id
                <li key={i}>{reasonText(r)}</li>
              ))}
            </ul>
          ) : (
            <Empty>{t('c360.noRisk')}</Empty>
          )}
          {v?.rfm && v.rfm.r != null && (
            <p className="muted">
              RFM {v.rfm.r ?? '—'}/{v.rfm.f ?? '—'}/{v.rfm.m ?? '—'} · {rfmName(v.rfm.segment)}
            </p>
          )}
        </Panel>
        <Panel title={t('c360.stageTimeline')}>
          {stages.length ? (
            <ol className="timeline" data-testid="stage-timeline">
              {stages.map((s) => (
                <li key={`${s.at}${s.to}`}>
                  <time dateTime={s.at}>{formatDate(s.at)}</time>{' '}
                  <Badge colour={stageColour(s.to)}>{localised(s.name) || stageName(s.to)}</Badge>
                  {s.from && <span className="muted"> ← {stageName(s.from)}</span>}
                  <p className="reason">{localised(s.reason)}</p>
                </li>
              ))}
            </ol>
          ) : (
            <Empty>{t('c360.noStages')}</Empty>
          )}
        </Panel>
        <Panel title={t('c360.timeline')} wide>
          {timeline.length ? (
            <ol className="timeline" data-testid="activity-timeline">
              {timeline.slice(0, 100).map((e, i) => (
                <li key={e.id ?? `${e.at}-${i}`} className={`tl-${e.kind} tl-${e.type ?? ''}`}>
                  <time dateTime={e.at}>{formatDateTime(e.at)}</time>{' '}
                  {e.kind === 'transaction' ? (
                    <>
                      <Badge tone="muted">{t('c360.order')}</Badge>{' '}
                      {formatMoney(e.amountMinor, { exact: true })}
                      {e.status && e.status !== 'completed' && (
                        <span className="muted"> ({e.status})</span>
                      )}
                    </>
                  ) : (
                    <>
                      <Badge tone={e.type === 'complaint' ? 'bad' : 'muted'}>
                        {t(`interaction.${e.type}`, { defaultValue: e.type ?? '' })}
                      </Badge>{' '}
                      {e.note && <span className="note">{e.note}</span>}
                      {e.outcome && <span className="muted"> · {e.outcome}</span>}
                    </>
                  )}
                </li>
              ))}
            </ol>
          ) : (
            <Empty>{t('c360.noTimeline')}</Empty>
          )}
        </Panel>
        <Panel title={t('c360.logInteraction')}>
          <LogInteraction id={id} />
        </Panel>
        <Panel title={t('c360.tasks')}>
          {d.tasks?.length ? (
            <ul>
              {d.tasks.map((task) => (
                <li key={task.taskId}>
                  {localised(task.title) || t(`taskType.${task.type}`, { defaultValue: task.type })}{' '}
                  · {formatDate(task.dueAt)} ·{' '}
                  {t(`tasks.${task.status}`, { defaultValue: task.status })}
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{t('c360.noTasks')}</Empty>
          )}
        </Panel>
        <Panel title={t('c360.segments')}>
          {d.segments?.length ? (
            <ul className="chips">
              {d.segments.map((s) => (
                <li key={s.segmentId}>
                  <Badge tone="muted">{s.name}</Badge>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>{t('c360.noSegments')}</Empty>
          )}
        </Panel>
      </div>
    </>
  );
}

export function Customer360Page({ id }: { id: string }) {
  const { t } = useTranslation();
  const q = useCustomer360(id);
  if (q.error instanceof ApiError && q.error.status === 404 && q.error.code === 'not_found')
    return <NotFoundPage />;
  return (
    <div className="page">
      <Link href="/customers" className="back">
        ← {t('c360.back')}
      </Link>
      {q.isPending ? (
        <Skeleton lines={8} />
      ) : q.error ? (
        <ErrorBox error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Body d={q.data} id={id} />
      )}
    </div>
  );
}
