/** Customer list: server-side search, filters, sort and cursor pagination; column chooser; export. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearch } from 'wouter';
import { type CustomerFilters, useCustomers, useSegments } from '../api/hooks.js';
import type { Customer } from '../api/types.js';
import { useRole } from '../auth.js';
import { Badge, Empty, ErrorBox, RiskBadge, Skeleton } from '../components/ui.js';
import { customersCsv, download, fetchAllCustomers } from '../export-csv.js';
import { formatMoney } from '../format.js';
import { nameOf, rfmName, STAGES, stageColour, stageName, TIERS, tierName } from '../labels.js';

type Column = {
  key: string;
  label: string;
  render: (c: Customer) => React.ReactNode;
  sort?: string;
};

const COLS_KEY = 'tenure.customerColumns';
const PAGE_SIZES = [50, 100, 200, 500];

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

export function CustomersPage() {
  const { t } = useTranslation();
  const role = useRole();
  const params = new URLSearchParams(useSearch());
  const [text, setText] = useState(params.get('q') ?? '');
  const q = useDebounced(text.trim(), 250);
  const [filters, setFilters] = useState<Omit<CustomerFilters, 'q' | 'cursor' | 'limit'>>({
    stage: params.get('stage') ?? undefined,
    tier: params.get('tier') ?? undefined,
    risk: params.get('risk') ?? undefined,
    segment: params.get('segment') ?? undefined,
  });
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new search or filter starts at the first page
  useEffect(() => setCursors([undefined]), [q, filters]);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page size starts at the first page
  useEffect(() => setCursors([undefined]), [pageSize]);
  const query = useCustomers({ ...filters, q: q || undefined, cursor, limit: pageSize });
  const segments = useSegments();

  const columns: Column[] = [
    { key: 'id', label: t('customers.id'), render: (c) => c.customerId, sort: 'id' },
    {
      key: 'name',
      label: t('customers.name'),
      render: (c) => (
        <Link href={`/customers/${encodeURIComponent(c.customerId)}`}>
          {c.name || c.customerId}
        </Link>
      ),
      sort: 'name',
    },
    { key: 'phone', label: t('customers.phone'), render: (c) => c.phones?.[0] ?? '—' },
    { key: 'email', label: t('customers.email'), render: (c) => c.emails?.[0] ?? '—' },
    {
      key: 'region',
      label: t('customers.region'),
      render: (c) => [c.province, c.city].filter(Boolean).join(' ') || '—',
    },
    {
      key: 'stage',
      label: t('customers.stage'),
      render: (c) =>
        c.current?.stage ? (
          <Badge colour={stageColour(c.current.stage)}>{stageName(c.current.stage)}</Badge>
        ) : (
          '—'
        ),
    },
    { key: 'tier', label: t('customers.tier'), render: (c) => tierName(c.current?.tier) },
    { key: 'rfm', label: t('customers.rfm'), render: (c) => rfmName(c.current?.rfmSegment) },
    {
      key: 'clv',
      label: t('customers.clv'),
      render: (c) => formatMoney(c.current?.clvMinor),
      sort: 'clv',
    },
    {
      key: 'risk',
      label: t('customers.risk'),
      render: (c) => <RiskBadge level={c.current?.warningLevel} score={c.current?.churnRisk} />,
      sort: 'risk',
    },
    { key: 'owner', label: t('customers.owner'), render: (c) => c.ownerId ?? '—' },
  ];
  const [visible, setVisible] = useState<string[]>(() => {
    try {
      const v = JSON.parse(localStorage.getItem(COLS_KEY) ?? 'null');
      if (Array.isArray(v)) return v;
    } catch {
      // fall through to the default
    }
    return ['id', 'name', 'phone', 'region', 'stage', 'tier', 'clv', 'risk', 'owner'];
  });
  const toggle = (key: string) => {
    const next = visible.includes(key) ? visible.filter((k) => k !== key) : [...visible, key];
    setVisible(next);
    localStorage.setItem(COLS_KEY, JSON.stringify(next));
  };
  const shown = columns.filter((c) => visible.includes(c.key));
  const setFilter = (key: keyof typeof filters, value: string) =>
    setFilters((f) => ({ ...f, [key]: value || undefined }));
  const sortBy = (key: string) =>
    setFilters((f) => ({
      ...f,
      sort: key,
      desc: f.sort === key ? !f.desc : key === 'clv' || key === 'risk',
    }));

  const [exporting, setExporting] = useState<number | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const exportCsv = async () => {
    setExportError(null);
    setExporting(0);
    try {
      const { desc, sort, ...rest } = filters;
      const rows = await fetchAllCustomers(
        { ...rest, q: q || undefined, sort: sort ? `${desc ? '-' : ''}${sort}` : undefined },
        setExporting,
      );
      const header = [
        t('customers.id'),
        t('customers.name'),
        t('customers.phone'),
        t('customers.email'),
        t('customers.province'),
        t('customers.city'),
        t('customers.stage'),
        t('customers.tier'),
        t('customers.rfm'),
        `${t('customers.clv')} (¥)`,
        t('customers.churnRisk'),
        t('customers.risk'),
        t('customers.owner'),
      ];
      download(
        `customers-${new Date().toISOString().slice(0, 10)}.csv`,
        customersCsv(rows, header),
      );
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(null);
    }
  };

  const select = (key: keyof typeof filters, label: string, options: [string, string][]) => (
    <label className="filter">
      <span>{label}</span>
      <select
        value={(filters[key] as string) ?? ''}
        onChange={(e) => setFilter(key, e.target.value)}
        aria-label={label}
      >
        <option value="">{t('common.all')}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('customers.title')}</h1>
        <div className="actions">
          <button type="button" onClick={exportCsv} disabled={exporting !== null}>
            {exporting === null
              ? t('common.exportCsv')
              : t('common.exporting', { count: exporting })}
          </button>
          <details className="chooser">
            <summary>{t('common.columns')}</summary>
            <fieldset>
              <legend className="sr-only">{t('common.columns')}</legend>
              {columns.map((c) => (
                <label key={c.key}>
                  <input
                    type="checkbox"
                    checked={visible.includes(c.key)}
                    onChange={() => toggle(c.key)}
                  />{' '}
                  {c.label}
                </label>
              ))}
            </fieldset>
          </details>
        </div>
      </div>
      <search className="toolbar">
        <label className="search">
          <span className="sr-only">{t('customers.searchLabel')}</span>
          <input
            type="search"
            name="q"
            aria-label={t('customers.searchLabel')}
            placeholder={t('customers.searchPlaceholder')}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        {select(
          'stage',
          t('customers.stage'),
          ['prospect', 'exploration', 'formation', 'stability', 'decline', 'churned'].map((s) => [
            s,
            nameOf(STAGES, s),
          ]),
        )}
        {select(
          'tier',
          t('customers.tier'),
          Object.keys(TIERS).map((k) => [k, tierName(k)]),
        )}
        {select(
          'risk',
          t('customers.risk'),
          ['high', 'medium', 'low'].map((k) => [k, t(`level.${k}`)]),
        )}
        {select(
          'segment',
          t('customers.segment'),
          (segments.data ?? []).map((s) => [s.segmentId, s.name]),
        )}
        <label className="filter">
          <span>{t('customers.region')}</span>
          <input
            value={filters.province ?? ''}
            onChange={(e) => setFilter('province', e.target.value)}
            aria-label={t('customers.region')}
            size={8}
          />
        </label>
        {role !== 'agent' && (
          <label className="filter">
            <span>{t('customers.owner')}</span>
            <input
              value={filters.owner ?? ''}
              onChange={(e) => setFilter('owner', e.target.value)}
              aria-label={t('customers.owner')}
              size={8}
            />
          </label>
        )}
        <button type="button" className="link" onClick={() => setFilters({})}>
          {t('customers.clearFilters')}
        </button>
      </search>
      {exportError ? <ErrorBox error={exportError} /> : null}
      {query.error ? (
        <ErrorBox error={query.error} onRetry={() => query.refetch()} />
      ) : query.isPending ? (
        <Skeleton lines={10} />
      ) : query.data.items.length === 0 ? (
        <Empty>{t('customers.empty')}</Empty>
      ) : (
        <>
          <div className="table-wrap" aria-busy={query.isFetching}>
            <table className="table" data-testid="customer-table">
              <thead>
                <tr>
                  {shown.map((c) => (
                    <th
                      key={c.key}
                      scope="col"
                      aria-sort={
                        c.sort && filters.sort === c.sort
                          ? filters.desc
                            ? 'descending'
                            : 'ascending'
                          : undefined
                      }
                    >
                      {c.sort ? (
                        <button
                          type="button"
                          className="link"
                          onClick={() => sortBy(c.sort as string)}
                        >
                          {c.label}
                          {filters.sort === c.sort ? (filters.desc ? ' ↓' : ' ↑') : ''}
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {query.data.items.map((row) => (
                  <tr key={row.customerId}>
                    {shown.map((c) => (
                      <td key={c.key}>{c.render(row)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <label>
              {t('common.perPage')}{' '}
              <select value={pageSize} onChange={(e) => setPageSize(Number(e.target.value))}>
                {PAGE_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              disabled={cursors.length <= 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              {t('common.previous')}
            </button>
            <span>
              {t('common.page', { page: cursors.length })}
              {query.data.total != null && ` · ${t('common.total', { count: query.data.total })}`}
            </span>
            <button
              type="button"
              disabled={!query.data.nextCursor}
              onClick={() => setCursors((c) => [...c, query.data?.nextCursor ?? undefined])}
            >
              {t('common.next')}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
