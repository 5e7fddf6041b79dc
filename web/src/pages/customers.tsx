/**
 * Customer list (issue 8 §3): server-side search, filters and sort; a virtualised table that
 * renders only the rows in view and loads the next page of the server's cursor as the reader
 * nears the end; column chooser; export of every matching customer (not only the loaded ones)
 * as CSV or Excel from GET /api/customers/export, with the columns the table shows.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearch } from 'wouter';
import { withQuery } from '../api/client.js';
import {
  type CustomerFilters,
  customerQuery,
  useInfiniteCustomers,
  useSegments,
} from '../api/hooks.js';
import type { Customer } from '../api/types.js';
import { useRole } from '../auth.js';
import { Badge, Empty, ErrorBox, RiskBadge, Skeleton } from '../components/ui.js';
import { formatMoney } from '../format.js';
import {
  nameOf,
  RFM_SEGMENTS,
  rfmName,
  STAGES,
  stageColour,
  stageName,
  TIERS,
  tierName,
} from '../labels.js';

type Column = {
  key: string;
  label: string;
  render: (c: Customer) => React.ReactNode;
  /** the narrowest the column gets, px; wider screens share the rest */
  width: number;
  sort?: string;
};

type Filters = Omit<CustomerFilters, 'q' | 'cursor' | 'limit'>;

const COLS_KEY = 'tenure.customerColumns';
/** Rows a request (the server allows up to 500). */
const PAGE_SIZE = 200;
/** Every row is one line this high (px), so the virtualiser needs no measuring. */
const ROW_HEIGHT = 37;
/** Start loading the next page this many rows before the end of the loaded ones. */
const PREFETCH_ROWS = 60;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

export function CustomersPage() {
  const { t, i18n } = useTranslation();
  const role = useRole();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(useSearch());
  const [text, setText] = useState(params.get('q') ?? '');
  const q = useDebounced(text.trim(), 250);
  const [filters, setFilters] = useState<Filters>({
    stage: params.get('stage') ?? undefined,
    tier: params.get('tier') ?? undefined,
    risk: params.get('risk') ?? undefined,
    rfm: params.get('rfm') ?? undefined,
    segment: params.get('segment') ?? undefined,
  });
  const query = useInfiniteCustomers({ ...filters, q: q || undefined, limit: PAGE_SIZE });
  const segments = useSegments();
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);

  const columns: Column[] = [
    { key: 'id', label: t('customers.id'), render: (c) => c.customerId, sort: 'id', width: 110 },
    {
      key: 'name',
      label: t('customers.name'),
      render: (c) => (
        <Link href={`/customers/${encodeURIComponent(c.customerId)}`} tabIndex={-1}>
          {c.name || c.customerId}
        </Link>
      ),
      sort: 'name',
      width: 120,
    },
    {
      key: 'phone',
      label: t('customers.phone'),
      render: (c) => c.phones?.[0] ?? '—',
      width: 120,
    },
    {
      key: 'email',
      label: t('customers.email'),
      render: (c) => c.emails?.[0] ?? '—',
      width: 170,
    },
    {
      key: 'region',
      label: t('customers.region'),
      render: (c) => [c.province, c.city].filter(Boolean).join(' ') || '—',
      width: 150,
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
      width: 90,
    },
    {
      key: 'tier',
      label: t('customers.tier'),
      render: (c) => tierName(c.current?.tier),
      width: 70,
    },
    {
      key: 'rfm',
      label: t('customers.rfm'),
      render: (c) => rfmName(c.current?.rfmSegment),
      width: 120,
    },
    {
      key: 'clv',
      label: t('customers.clv'),
      render: (c) => formatMoney(c.current?.clvMinor),
      sort: 'clv',
      width: 90,
    },
    {
      key: 'risk',
      label: t('customers.risk'),
      render: (c) => <RiskBadge level={c.current?.warningLevel} score={c.current?.churnRisk} />,
      sort: 'risk',
      width: 100,
    },
    {
      key: 'owner',
      label: t('customers.owner'),
      render: (c) => c.ownerId ?? '—',
      width: 80,
    },
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
  const template = shown.map((c) => `minmax(${c.width}px, ${c.width}fr)`).join(' ');
  const minWidth = shown.reduce((a, c) => a + c.width, 0);
  const setFilter = (key: keyof Filters, value: string) =>
    setFilters((f) => ({ ...f, [key]: value || undefined }));
  const sortBy = (key: string) =>
    setFilters((f) => ({
      ...f,
      sort: key,
      desc: f.sort === key ? !f.desc : key === 'clv' || key === 'risk',
    }));

  // the export: every customer matching the filters, in the table's order and columns
  const exportHref = (format: 'csv' | 'xlsx') =>
    withQuery('/api/customers/export', {
      ...customerQuery({ ...filters, q: q || undefined }),
      format,
      columns: shown.map((c) => c.key).join(','),
      lang: i18n.language === 'en' ? 'en' : 'zh-CN',
    });

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (
      lastIndex >= rows.length - PREFETCH_ROWS &&
      query.hasNextPage &&
      !query.isFetchingNextPage &&
      !query.isError
    ) {
      query.fetchNextPage();
    }
  }, [lastIndex, rows.length, query]);

  // A new search, filter or sort starts at the top.
  const [active, setActive] = useState(0);
  const focusRow = useRef(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the question changes
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
    setActive(0);
  }, [q, filters]);

  // Keyboard: one row is in the tab order (roving tabindex); arrows move it, Enter opens the 360.
  const moveTo = (index: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    focusRow.current = true;
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };
  useEffect(() => {
    if (!focusRow.current) return;
    let tries = 0;
    let frame = 0;
    const focus = () => {
      const el = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${active}"]`);
      if (el) {
        focusRow.current = false;
        el.focus({ preventScroll: true });
      } else if (tries++ < 10) frame = requestAnimationFrame(focus);
    };
    focus();
    return () => cancelAnimationFrame(frame);
  }, [active]);
  const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / ROW_HEIGHT));
  const onRowKey = (e: React.KeyboardEvent<HTMLTableRowElement>, index: number, c: Customer) => {
    const to: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + pageRows,
      PageUp: index - pageRows,
      Home: 0,
      End: rows.length - 1,
    };
    if (e.key === 'Enter' && e.target === e.currentTarget) {
      e.preventDefault();
      navigate(`/customers/${encodeURIComponent(c.customerId)}`);
    } else if (e.key in to) {
      e.preventDefault();
      moveTo(to[e.key]);
    }
  };

  const select = (key: keyof Filters, label: string, options: [string, string][]) => (
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
          <details className="chooser" data-testid="export-menu">
            <summary title={t('customerTable.exportHint')}>{t('customerTable.export')}</summary>
            <div className="menu">
              <a href={exportHref('csv')} download>
                {t('customerTable.exportCsv')}
              </a>
              <a href={exportHref('xlsx')} download>
                {t('customerTable.exportXlsx')}
              </a>
            </div>
          </details>
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
          (['red', 'orange', 'yellow'] as const).map((k) => [k, t(`customerTable.levels.${k}`)]),
        )}
        {select(
          'rfm',
          t('customers.rfm'),
          Object.keys(RFM_SEGMENTS).map((k) => [k, rfmName(k)]),
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
      {query.error && !query.data ? (
        <ErrorBox error={query.error} onRetry={() => query.refetch()} />
      ) : query.isPending ? (
        <Skeleton lines={10} />
      ) : rows.length === 0 ? (
        <Empty>{t('customers.empty')}</Empty>
      ) : (
        <>
          <div
            className="table-wrap vtable-wrap"
            ref={scrollRef}
            aria-busy={query.isFetching && !query.isFetchingNextPage}
          >
            <table
              className="table vtable"
              data-testid="customer-table"
              aria-label={t('customerTable.rowsLabel')}
              aria-rowcount={query.hasNextPage ? -1 : rows.length + 1}
              style={{ minWidth }}
            >
              <thead>
                <tr aria-rowindex={1} style={{ gridTemplateColumns: template }}>
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
              <tbody style={{ height: virtualizer.getTotalSize() }}>
                {items.map((v) => {
                  const row = rows[v.index];
                  return (
                    <tr
                      key={row.customerId}
                      data-index={v.index}
                      aria-rowindex={v.index + 2}
                      tabIndex={v.index === active ? 0 : -1}
                      onFocus={() => setActive(v.index)}
                      onKeyDown={(e) => onRowKey(e, v.index, row)}
                      style={{
                        gridTemplateColumns: template,
                        height: ROW_HEIGHT,
                        transform: `translateY(${v.start}px)`,
                      }}
                    >
                      {shown.map((c) => (
                        <td key={c.key}>{c.render(row)}</td>
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="table-status muted" role="status" data-testid="table-status">
            {[
              t('customerTable.loaded', { count: rows.length }),
              query.isFetchingNextPage
                ? t('customerTable.loadingMore')
                : query.hasNextPage
                  ? null
                  : t('customerTable.end'),
            ]
              .filter(Boolean)
              .join(' · ')}
          </p>
          {query.error ? (
            <ErrorBox error={query.error} onRetry={() => query.fetchNextPage()} />
          ) : null}
        </>
      )}
    </div>
  );
}
