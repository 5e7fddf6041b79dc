/**
 * Campaigns: the list with each one's status and headline result, and a new campaign on a saved
 * segment with its hold-out share (issue 9 §4). Managers and admins create; analysts read.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import {
  type Campaign,
  useCampaignReport,
  useCampaigns,
  useCreateCampaign,
} from '../api/campaigns.js';
import { useSegments } from '../api/hooks.js';
import { useRole } from '../auth.js';
import { Badge, ErrorBox, Panel, QueryState, Skeleton } from '../components/ui.js';
import { formatDate, formatNumber, formatPercent } from '../format.js';

const PHASE_TONE: Record<Campaign['phase'], string> = {
  scheduled: 'muted',
  running: 'warn',
  ended: 'ok',
};

export function PhaseBadge({ phase }: { phase: Campaign['phase'] }) {
  const { t } = useTranslation();
  return <Badge tone={PHASE_TONE[phase]}>{t(`campaigns.phase.${phase}`)}</Badge>;
}

/** Conversion uplift in percentage points: +3.2 / −1.0. */
export function formatPoints(share: number): string {
  const pts = share * 100;
  return `${pts >= 0 ? '+' : '−'}${formatNumber(Math.abs(pts), { digits: 1 })}`;
}

function Headline({ id }: { id: string }) {
  const { t } = useTranslation();
  const report = useCampaignReport(id);
  if (report.isPending) return <Skeleton lines={1} />;
  const u = report.data?.uplift.conversion;
  if (!u || (report.data?.treatment.converted ?? 0) + (report.data?.control.converted ?? 0) === 0)
    return <span className="muted">{t('campaigns.notMeasured')}</span>;
  return (
    <span>
      {t('campaigns.pts', { value: formatPoints(u.difference) })}{' '}
      <span className="muted small">
        ({t('campaigns.ci', { low: formatPoints(u.low), high: formatPoints(u.high) })})
      </span>
    </span>
  );
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function NewCampaignForm() {
  const { t } = useTranslation();
  const [, navigate] = useLocation();
  const segments = useSegments();
  const create = useCreateCampaign();
  const today = new Date();
  const [form, setForm] = useState({
    name: '',
    segmentId: '',
    holdout: '20',
    start: isoDay(today),
    end: isoDay(new Date(today.getTime() + 30 * 86_400_000)),
    channel: 'sms',
    message: '',
    cost: '0',
    costPerContact: '0',
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        name: form.name.trim(),
        segmentId: form.segmentId,
        holdoutShare: Number(form.holdout) / 100,
        startsAt: form.start,
        endsAt: form.end,
        channel: form.channel || undefined,
        message: form.message.trim() || undefined,
        costMinor: Math.round(Number(form.cost || 0) * 100),
        costPerContactMinor: Math.round(Number(form.costPerContact || 0) * 100),
      },
      { onSuccess: (c) => navigate(`/campaigns/${encodeURIComponent(c.campaignId)}`) },
    );
  };
  return (
    <Panel title={t('campaigns.new')} wide>
      <QueryState
        query={segments}
        isEmpty={(l) => l.length === 0}
        empty={t('campaigns.noSegments')}
      >
        {(list) => (
          <form className="form" onSubmit={submit} data-testid="new-campaign">
            <div className="row">
              <label>
                <span>{t('campaigns.name')}</span>
                <input required maxLength={200} value={form.name} onChange={set('name')} />
              </label>
              <label>
                <span>{t('campaigns.segment')}</span>
                <select required value={form.segmentId} onChange={set('segmentId')}>
                  <option value="">{t('campaigns.chooseSegment')}</option>
                  {list.map((s) => (
                    <option key={s.segmentId} value={s.segmentId}>
                      {s.name} · {t('campaigns.segmentMembers', { count: s.members })}
                    </option>
                  ))}
                </select>
              </label>
              <label title={t('campaigns.holdoutHint')}>
                <span>{t('campaigns.holdout')}</span>
                <input
                  type="number"
                  required
                  min={1}
                  max={90}
                  step={1}
                  value={form.holdout}
                  onChange={set('holdout')}
                />
              </label>
              <label>
                <span>{t('campaigns.start')}</span>
                <input type="date" required value={form.start} onChange={set('start')} />
              </label>
              <label>
                <span>{t('campaigns.end')}</span>
                <input type="date" required value={form.end} onChange={set('end')} />
              </label>
            </div>
            <div className="row">
              <label>
                <span>{t('campaigns.channel')}</span>
                <select value={form.channel} onChange={set('channel')}>
                  {['sms', 'call', 'email', 'wechat'].map((c) => (
                    <option key={c} value={c}>
                      {t(`interaction.${c}`, { defaultValue: c })}
                    </option>
                  ))}
                </select>
              </label>
              <label style={{ flex: 1, minWidth: 240 }}>
                <span>{t('campaigns.message')}</span>
                <input maxLength={2000} value={form.message} onChange={set('message')} />
              </label>
              <label>
                <span>{t('campaigns.cost')}</span>
                <input type="number" min={0} step="0.01" value={form.cost} onChange={set('cost')} />
              </label>
              <label>
                <span>{t('campaigns.costPerContact')}</span>
                <input
                  type="number"
                  min={0}
                  step="0.01"
                  value={form.costPerContact}
                  onChange={set('costPerContact')}
                />
              </label>
              <button type="submit" className="primary" disabled={create.isPending}>
                {create.isPending ? t('campaigns.creating') : t('campaigns.create')}
              </button>
            </div>
            <p className="muted small">{t('campaigns.holdoutHint')}</p>
            {create.error && <ErrorBox error={create.error} />}
          </form>
        )}
      </QueryState>
    </Panel>
  );
}

export function CampaignsPage() {
  const { t } = useTranslation();
  const role = useRole();
  const campaigns = useCampaigns();
  const canWrite = role === 'admin' || role === 'manager';
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('campaigns.title')}</h1>
      </div>
      <div className="grid">
        {canWrite ? (
          <NewCampaignForm />
        ) : (
          <p className="muted panel wide">{t('campaigns.readOnly')}</p>
        )}
        <Panel title={t('campaigns.list')} wide>
          <QueryState
            query={campaigns}
            isEmpty={(l) => l.length === 0}
            empty={t('campaigns.empty')}
          >
            {(list) => (
              <div className="table-wrap">
                <table className="table" data-testid="campaign-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('campaigns.name')}</th>
                      <th scope="col">{t('tasks.status')}</th>
                      <th scope="col">{t('campaigns.window')}</th>
                      <th scope="col">{t('campaigns.groups')}</th>
                      <th scope="col">{t('campaigns.holdout')}</th>
                      <th scope="col">{t('campaigns.headline')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((c) => (
                      <tr key={c.campaignId}>
                        <td>
                          <Link href={`/campaigns/${encodeURIComponent(c.campaignId)}`}>
                            {c.name}
                          </Link>
                        </td>
                        <td>
                          <PhaseBadge phase={c.phase} />
                        </td>
                        <td>
                          {formatDate(c.startsAt)} – {formatDate(c.endsAt)}
                        </td>
                        <td>
                          {formatNumber(c.members.treatment)} / {formatNumber(c.members.control)}
                        </td>
                        <td>{formatPercent(c.holdoutShare, 0)}</td>
                        <td>
                          <Headline id={c.campaignId} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </QueryState>
        </Panel>
      </div>
    </div>
  );
}
