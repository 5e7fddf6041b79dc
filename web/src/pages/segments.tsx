/** RFM grid, tiers, clusters, saved segments and the rule builder with a live count. */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import {
  type SegmentField,
  useCreateSegment,
  useSegmentCount,
  useSegmentFields,
  useSegmentReport,
  useSegments,
} from '../api/hooks.js';
import { useRole } from '../auth.js';
import { Chart } from '../components/chart.js';
import { Empty, ErrorBox, Panel, QueryState } from '../components/ui.js';
import { formatMoney, formatNumber } from '../format.js';
import { archetypeName, localised, tierName } from '../labels.js';

/** Used when the server does not list its fields (GET /api/segments/fields). */
const DEFAULT_FIELDS: SegmentField[] = [
  {
    name: 'stage',
    type: 'text',
    values: ['prospect', 'exploration', 'formation', 'stability', 'decline', 'churned'],
  },
  { name: 'tier', type: 'text', values: ['platinum', 'gold', 'iron', 'lead'] },
  { name: 'rfm_segment', type: 'text' },
  { name: 'warning_level', type: 'text', values: ['high', 'medium', 'low'] },
  { name: 'churn_risk', type: 'number' },
  { name: 'clv', type: 'number' },
  { name: 'p_alive', type: 'number' },
  { name: 'province', type: 'text' },
  { name: 'city', type: 'text' },
  { name: 'gender', type: 'text', values: ['male', 'female'] },
  { name: 'industry', type: 'text' },
  { name: 'channel', type: 'text' },
];

const OPS: Record<SegmentField['type'], string[]> = {
  text: ['=', '!=', 'IN'],
  tags: ['CONTAINS'],
  number: ['>=', '<=', '>', '<', '=', '!='],
  date: ['>=', '<=', '=', '>', '<'],
  boolean: ['='],
};

interface Condition {
  field: string;
  op: string;
  value: string;
}

function quote(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function literal(field: SegmentField | undefined, v: string): string {
  const s = v.trim();
  if (field?.type === 'number' && s !== '' && Number.isFinite(Number(s))) return s;
  if (field?.type === 'boolean') return s === 'true' ? 'TRUE' : 'FALSE';
  return quote(s);
}

/** Groups are ORed, conditions in a group ANDed: (a AND b) OR (c). Rule language: src/engine/segments/segment-rule.ts. */
export function ruleText(groups: Condition[][], fields: SegmentField[]): string {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const parts = groups
    .map((g) =>
      g
        .filter((c) => c.field && c.value.trim() !== '')
        .map((c) => {
          const f = byName.get(c.field);
          if (c.op === 'IN') {
            const vals = c.value
              .split(/[,，]/)
              .map((x) => x.trim())
              .filter(Boolean);
            return `${c.field} IN (${vals.map((x) => literal(f, x)).join(', ')})`;
          }
          return `${c.field} ${c.op} ${literal(f, c.value)}`;
        }),
    )
    .filter((g) => g.length > 0)
    .map((g) => (g.length > 1 ? `(${g.join(' AND ')})` : g[0]));
  return parts.join(' OR ');
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

function RuleBuilder() {
  const { t } = useTranslation();
  const fieldsQ = useSegmentFields();
  const fields = fieldsQ.data?.length ? fieldsQ.data : DEFAULT_FIELDS;
  const [name, setName] = useState('');
  const [groups, setGroups] = useState<Condition[][]>([
    [{ field: fields[0].name, op: OPS[fields[0].type][0], value: '' }],
  ]);
  const rule = useMemo(() => ruleText(groups, fields), [groups, fields]);
  const debounced = useDebounced(rule, 300);
  const count = useSegmentCount(debounced);
  const create = useCreateSegment();
  const update = (gi: number, ci: number, patch: Partial<Condition>) =>
    setGroups((gs) =>
      gs.map((g, i) => (i !== gi ? g : g.map((c, j) => (j !== ci ? c : { ...c, ...patch })))),
    );
  const newCondition = (): Condition => ({
    field: fields[0].name,
    op: OPS[fields[0].type][0],
    value: '',
  });
  return (
    <div className="builder" data-testid="rule-builder">
      <label>
        {t('segments.name')}
        <input
          name="segment-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
        />
      </label>
      {groups.map((g, gi) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: groups are positional
        <fieldset key={gi} className="group">
          <legend>{gi === 0 ? t('segments.rule') : t('segments.or')}</legend>
          {g.map((c, ci) => {
            const field = fields.find((f) => f.name === c.field) ?? fields[0];
            const listId = `values-${gi}-${ci}`;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: conditions are positional
              <div key={ci} className="condition">
                {ci > 0 && <span className="muted">{t('segments.and')}</span>}
                <label>
                  <span className="sr-only">{t('segments.field')}</span>
                  <select
                    aria-label={t('segments.field')}
                    value={c.field}
                    onChange={(e) => {
                      const f = fields.find((x) => x.name === e.target.value) ?? fields[0];
                      update(gi, ci, { field: f.name, op: OPS[f.type][0], value: '' });
                    }}
                  >
                    {fields.map((f) => (
                      <option key={f.name} value={f.name}>
                        {f.name}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  <span className="sr-only">{t('segments.operator')}</span>
                  <select
                    aria-label={t('segments.operator')}
                    value={c.op}
                    onChange={(e) => update(gi, ci, { op: e.target.value })}
                  >
                    {OPS[field.type].map((op) => (
                      <option key={op} value={op}>
                        {op}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  <span className="sr-only">{t('segments.value')}</span>
                  <input
                    aria-label={t('segments.value')}
                    list={field.values ? listId : undefined}
                    type={
                      field.type === 'number' ? 'number' : field.type === 'date' ? 'date' : 'text'
                    }
                    step="any"
                    value={c.value}
                    onChange={(e) => update(gi, ci, { value: e.target.value })}
                  />
                  {field.values && (
                    <datalist id={listId}>
                      {field.values.map((v) => (
                        <option key={v} value={v} />
                      ))}
                    </datalist>
                  )}
                </label>
                <button
                  type="button"
                  className="link"
                  aria-label={t('segments.remove')}
                  onClick={() =>
                    setGroups((gs) =>
                      gs
                        .map((x, i) => (i !== gi ? x : x.filter((_, j) => j !== ci)))
                        .filter((x) => x.length),
                    )
                  }
                >
                  ✕
                </button>
              </div>
            );
          })}
          <button
            type="button"
            onClick={() =>
              setGroups((gs) => gs.map((x, i) => (i === gi ? [...x, newCondition()] : x)))
            }
          >
            {t('segments.addCondition')}
          </button>
        </fieldset>
      ))}
      <div className="row">
        <button type="button" onClick={() => setGroups((gs) => [...gs, [newCondition()]])}>
          {t('segments.addGroup')}
        </button>
      </div>
      <pre className="rule" data-testid="rule-text">
        {rule || '—'}
      </pre>
      <p role="status" data-testid="live-count">
        {!rule
          ? ''
          : count.isFetching
            ? t('segments.counting')
            : count.data
              ? t('segments.liveCount', { count: count.data.count })
              : ''}
      </p>
      {count.error && <ErrorBox error={count.error} />}
      <button
        type="button"
        className="primary"
        disabled={!rule || !name.trim() || create.isPending}
        onClick={() => create.mutate({ name: name.trim(), rule })}
      >
        {t('segments.saveSegment')}
      </button>
      {create.error && <ErrorBox error={create.error} />}
    </div>
  );
}

export function SegmentsPage() {
  const { t } = useTranslation();
  const role = useRole();
  const report = useSegmentReport();
  const segments = useSegments();
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('segments.title')}</h1>
      </div>
      <div className="grid">
        <Panel title={t('segments.rfmGrid')}>
          <QueryState query={report} isEmpty={(r) => !r.rfmGrid?.length} skeletonHeight={320}>
            {(r) => (
              <Chart
                name="rfmGrid"
                label={t('segments.rfmGrid')}
                option={{
                  tooltip: { position: 'top' },
                  grid: { left: 56, right: 16, top: 8, bottom: 72 },
                  xAxis: {
                    type: 'category',
                    data: ['1', '2', '3', '4', '5'],
                    name: t('segments.recency'),
                    nameLocation: 'middle',
                    nameGap: 24,
                  },
                  yAxis: {
                    type: 'category',
                    data: ['1', '2', '3', '4', '5'],
                    name: t('segments.frequency'),
                  },
                  visualMap: {
                    min: 0,
                    max: Math.max(1, ...(r.rfmGrid ?? []).map((c) => c.customers)),
                    orient: 'horizontal',
                    left: 'center',
                    bottom: 0,
                    inRange: { color: ['#f0fdf4', '#15803d'] },
                  },
                  series: [
                    {
                      type: 'heatmap',
                      label: { show: true },
                      data: (r.rfmGrid ?? []).map((c) => [c.r - 1, c.f - 1, c.customers]),
                    },
                  ],
                }}
              />
            )}
          </QueryState>
        </Panel>
        <Panel title={t('segments.tiers')}>
          <QueryState query={report} isEmpty={(r) => !r.tiers?.length}>
            {(r) => (
              <table className="table">
                <tbody>
                  {(r.tiers ?? []).map((x) => (
                    <tr key={x.tier}>
                      <th scope="row">{tierName(x.tier)}</th>
                      <td className="num">{formatNumber(x.customers)}</td>
                      <td className="num">{formatMoney(x.valueMinor)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </Panel>
        <Panel title={t('segments.clusters')} wide>
          <QueryState query={report} isEmpty={(r) => !r.clusters?.length}>
            {(r) => (
              <table className="table">
                <tbody>
                  {(r.clusters ?? []).map((x) => (
                    <tr key={x.cluster}>
                      <th scope="row">
                        {x.archetype ? archetypeName(x.archetype) : localised(x.label) || x.cluster}
                      </th>
                      <td className="num">{formatNumber(x.customers)}</td>
                      <td className="small muted">
                        {Object.entries(x.profile ?? {})
                          .map(([k, v]) => `${k} ${formatNumber(v, { digits: 2 })}`)
                          .join(' · ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </Panel>
        <Panel title={t('segments.saved')}>
          <QueryState query={segments} isEmpty={(s) => s.length === 0}>
            {(list) => (
              <table className="table" data-testid="segment-list">
                <tbody>
                  {list.map((s) => (
                    <tr key={s.segmentId}>
                      <th scope="row">
                        <Link href={`/customers?segment=${encodeURIComponent(s.segmentId)}`}>
                          {s.name}
                        </Link>
                      </th>
                      <td className="num">{formatNumber(s.memberCount ?? s.members ?? null)}</td>
                      <td className="small muted">
                        <code>{s.rule ?? s.definition?.rule ?? ''}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </Panel>
        <Panel title={t('segments.builder')} wide>
          {role === 'agent' ? <Empty>{t('errors.forbidden')}</Empty> : <RuleBuilder />}
        </Panel>
      </div>
    </div>
  );
}
