/** RFM grid, tiers, clusters, saved segments and the rule builder with a live count. */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError } from '../api/client.js';
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
import { formatNumber, formatPercent } from '../format.js';
import { ARCHETYPES, archetypeName, localised, RFM_SEGMENTS } from '../labels.js';
import { type Condition, ruleText } from '../segment-rule-text.js';

/**
 * The rule language's fields (src/store/segment-repo.ts SEGMENT_FIELDS), used when the server
 * does not list them (GET /api/segments/fields).
 */
const DEFAULT_FIELDS: SegmentField[] = [
  {
    name: 'stage',
    type: 'text',
    zh: '生命周期阶段',
    en: 'Lifecycle stage',
    values: ['prospect', 'exploration', 'formation', 'stability', 'decline', 'churned'],
  },
  { name: 'tier', type: 'text', zh: '价值层级', en: 'Value tier' },
  {
    name: 'rfm_segment',
    type: 'text',
    zh: 'RFM 分群',
    en: 'RFM segment',
    values: Object.keys(RFM_SEGMENTS),
  },
  {
    name: 'archetype',
    type: 'text',
    zh: '聚类画像',
    en: 'Cluster archetype',
    values: Object.keys(ARCHETYPES),
  },
  {
    name: 'warning_level',
    type: 'text',
    zh: '预警级别',
    en: 'Warning level',
    values: ['high', 'medium', 'low'],
  },
  { name: 'churn_risk', type: 'number', zh: '流失风险', en: 'Churn risk (0–1)' },
  { name: 'p_alive', type: 'number', zh: '存活概率', en: 'P(alive)' },
  { name: 'clv', type: 'number', zh: '预测终身价值（元）', en: 'Predicted CLV (yuan)' },
  { name: 'revenue', type: 'number', zh: '累计消费（元）', en: 'Revenue to date (yuan)' },
  { name: 'orders', type: 'number', zh: '订单数', en: 'Orders to date' },
  {
    name: 'days_since_purchase',
    type: 'number',
    zh: '距上次购买天数',
    en: 'Days since the last purchase',
  },
  { name: 'complaints_90d', type: 'number', zh: '90 天投诉数', en: 'Complaints in 90 days' },
  { name: 'rfm_r', type: 'number', zh: 'R 分', en: 'RFM recency score' },
  { name: 'rfm_f', type: 'number', zh: 'F 分', en: 'RFM frequency score' },
  { name: 'rfm_m', type: 'number', zh: 'M 分', en: 'RFM monetary score' },
  { name: 'age', type: 'number', zh: '年龄', en: 'Age' },
  { name: 'province', type: 'text', zh: '省份', en: 'Province' },
  { name: 'city', type: 'text', zh: '城市', en: 'City' },
  { name: 'gender', type: 'text', zh: '性别', en: 'Gender', values: ['male', 'female', 'other'] },
  { name: 'industry', type: 'text', zh: '行业', en: 'Industry' },
  { name: 'channel', type: 'text', zh: '渠道', en: 'Acquisition channel' },
  { name: 'owner', type: 'text', zh: '客户经理', en: 'Owner (staff id)' },
  { name: 'tags', type: 'tags', zh: '标签', en: 'Tags' },
  { name: 'last_purchase', type: 'date', zh: '最近购买日期', en: 'Last purchase date' },
];

const OPS: Record<SegmentField['type'], string[]> = {
  text: ['=', '!=', 'IN'],
  tags: ['CONTAINS'],
  number: ['>=', '<=', '>', '<', '=', '!='],
  date: ['>=', '<=', '=', '>', '<'],
  boolean: ['='],
};

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

function RuleBuilder() {
  const { t, i18n } = useTranslation();
  const fieldsQ = useSegmentFields();
  const fields = fieldsQ.data?.length ? fieldsQ.data : DEFAULT_FIELDS;
  const [name, setName] = useState('');
  const [groups, setGroups] = useState<Condition[][]>([
    [{ field: fields[0].name, op: OPS[fields[0].type][0], value: '' }],
  ]);
  const rule = useMemo(() => ruleText(groups, fields), [groups, fields]);
  const debounced = useDebounced(rule, 300);
  const count = useSegmentCount(debounced);
  // without a preview endpoint the count is known once the segment is saved
  const previewMissing = count.error instanceof ApiError && count.error.code === 'missing_endpoint';
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
                        {(i18n.language === 'en' ? f.en : f.zh) ?? f.name}
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
              : previewMissing
                ? t('segments.countAfterSave')
                : ''}
      </p>
      {count.error && !previewMissing && <ErrorBox error={count.error} />}
      <button
        type="button"
        className="primary"
        disabled={!rule || !name.trim() || create.isPending}
        onClick={() => create.mutate({ name: name.trim(), rule })}
      >
        {t('segments.saveSegment')}
      </button>
      {create.data && (
        <p className="ok" role="status" data-testid="saved-count">
          {t('segments.saved1', { name: create.data.name, count: create.data.members })}
        </p>
      )}
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
          <QueryState query={report} isEmpty={(r) => !r.rfm?.rf?.length} skeletonHeight={320}>
            {(r) => {
              const rf = r.rfm?.rf ?? [];
              // rf[5 - R][F - 1] → heatmap cells [F - 1, R - 1, customers]
              const cells = rf.flatMap((row, i) => row.map((n, j) => [j, 4 - i, n]));
              return (
                <Chart
                  name="rfmGrid"
                  label={t('segments.rfmGrid')}
                  option={{
                    tooltip: { position: 'top' },
                    grid: { left: 56, right: 16, top: 8, bottom: 72 },
                    xAxis: {
                      type: 'category',
                      data: ['1', '2', '3', '4', '5'],
                      name: t('segments.frequency'),
                      nameLocation: 'middle',
                      nameGap: 24,
                    },
                    yAxis: {
                      type: 'category',
                      data: ['1', '2', '3', '4', '5'],
                      name: t('segments.recency'),
                    },
                    visualMap: {
                      min: 0,
                      max: Math.max(1, ...cells.map((c) => c[2])),
                      orient: 'horizontal',
                      left: 'center',
                      bottom: 0,
                      inRange: { color: ['#f0fdf4', '#15803d'] },
                    },
                    series: [{ type: 'heatmap', label: { show: true }, data: cells }],
                  }}
                />
              );
            }}
          </QueryState>
        </Panel>
        <Panel title={t('segments.rfmSegments')}>
          <QueryState query={report} isEmpty={(r) => !r.rfm?.segments?.length}>
            {(r) => (
              <table className="table">
                <tbody>
                  {(r.rfm?.segments ?? []).map((x) => (
                    <tr key={x.key}>
                      <th scope="row">{localised(x)}</th>
                      <td className="num">{formatNumber(x.customers)}</td>
                      <td className="num">{formatPercent(x.share)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </Panel>
        <Panel title={t('segments.tiers')}>
          <QueryState query={report} isEmpty={(r) => !r.tiers?.tiers?.length}>
            {(r) => (
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('customers.tier')}</th>
                    <th scope="col">{t('kpi.customers')}</th>
                    <th scope="col">{t('segments.valueShare')}</th>
                  </tr>
                </thead>
                <tbody>
                  {(r.tiers?.tiers ?? []).map((x) => (
                    <tr key={x.key}>
                      <th scope="row">{localised(x)}</th>
                      <td className="num">
                        {formatNumber(x.customers)} ({formatPercent(x.shareOfCustomers)})
                      </td>
                      <td className="num">{formatPercent(x.shareOfValue)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </Panel>
        <Panel title={t('segments.clusters')}>
          <QueryState query={report} isEmpty={(r) => !r.clusters?.clusters?.length}>
            {(r) => (
              <table className="table">
                <tbody>
                  {(r.clusters?.clusters ?? []).map((x) => (
                    <tr key={x.id}>
                      <th scope="row">
                        {x.id} · {localised(x.label) || archetypeName(x.archetype)}
                      </th>
                      <td className="num">
                        {formatNumber(x.size)} ({formatPercent(x.share)})
                      </td>
                      <td className="small muted">{localised(x.reason)}</td>
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
                      <td className="num">{formatNumber(s.members)}</td>
                      <td className="small muted">
                        <code>{s.rule}</code>
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
