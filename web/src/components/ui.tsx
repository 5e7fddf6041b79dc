/** Small shared pieces: panels, skeletons, empty and error states, badges, KPI cards. */
import { type ReactNode, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.js';
import { formatPercent } from '../format.js';

export function Panel({
  title,
  children,
  actions,
  wide,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  wide?: boolean;
}) {
  // useId: titles are mostly Chinese, which a \W-based slug turned into one shared id
  const id = useId();
  return (
    <section className={`panel${wide ? ' wide' : ''}`} aria-labelledby={id}>
      <header className="panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Skeleton({ lines = 3, height }: { lines?: number; height?: number }) {
  const { t } = useTranslation();
  if (height)
    return (
      <div
        className="skeleton"
        style={{ height }}
        role="status"
        aria-busy="true"
        aria-label={t('common.loading')}
      />
    );
  return (
    <div role="status" aria-busy="true" aria-label={t('common.loading')}>
      {Array.from({ length: lines }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholder rows
        <div key={i} className="skeleton line" />
      ))}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  return <p className="empty">{children ?? t('common.empty')}</p>;
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="error" role="alert">
      <span>{errorMessage(error, t)}</span>
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** Loading / error / empty / content, for one query. */
export function QueryState<T>({
  query,
  children,
  isEmpty,
  empty,
  skeletonHeight,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  skeletonHeight?: number;
}) {
  if (query.isPending) return <Skeleton height={skeletonHeight} />;
  if (query.error) return <ErrorBox error={query.error} onRetry={() => query.refetch()} />;
  const data = query.data as T;
  if (isEmpty?.(data)) return <Empty>{empty}</Empty>;
  return <>{children(data)}</>;
}

const LEVEL_CLASS: Record<string, string> = {
  high: 'bad',
  medium: 'warn',
  low: 'ok',
  none: 'muted',
  // the churn warning's levels (issue 6)
  red: 'bad',
  orange: 'warn',
  yellow: 'caution',
};

export function Badge({
  children,
  tone,
  colour,
}: {
  children: ReactNode;
  tone?: string;
  colour?: string;
}) {
  return (
    <span
      className={`badge ${tone ?? ''}`}
      style={colour ? { background: colour, color: '#fff' } : undefined}
    >
      {children}
    </span>
  );
}

export function RiskBadge({ level, score }: { level?: string | null; score?: number | null }) {
  const { t } = useTranslation();
  if (!level && score == null) return <span className="muted">—</span>;
  const l = level ?? 'none';
  return (
    <Badge tone={LEVEL_CLASS[l] ?? 'muted'}>
      {t(`level.${l}`, { defaultValue: l })}
      {score != null ? ` ${formatPercent(score, 0)}` : ''}
    </Badge>
  );
}

export function KpiCard({
  label,
  value,
  change,
  hint,
  lowerIsBetter = false,
}: {
  label: string;
  value: string;
  change?: string | null;
  hint?: string;
  /** churn: a fall is good news */
  lowerIsBetter?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div className="kpi">
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-kpi={label}>
        {value}
      </div>
      {change && (
        <div
          className={`kpi-change ${change.startsWith('+') !== lowerIsBetter ? 'up' : 'down'}`}
          title={t('kpi.vsPrevious')}
        >
          {change} <span className="muted">{t('kpi.vsPrevious')}</span>
        </div>
      )}
      {hint && <div className="muted small">{hint}</div>}
    </div>
  );
}
