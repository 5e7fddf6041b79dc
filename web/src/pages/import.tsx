/**
 * Importing a file (issue 8 §9): pick a CSV or XLSX file, confirm its kind, see how each column
 * was understood and change it, see every problem (line, column, reason) before anything is
 * written, then import with progress and see what was inserted, updated and left unchanged.
 * The server checks and imports with the same code as `tenure import` (POST /api/imports).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { ApiError, api, apiStream } from '../api/client.js';
import { useRole } from '../auth.js';
import { ErrorBox, Panel } from '../components/ui.js';
import { type CsvPreview, previewCsv } from '../csv-preview.js';
import { formatNumber } from '../format.js';
import { importReason } from '../import-reasons.js';

const KINDS = ['customers', 'transactions', 'products', 'interactions', 'subscriptions'] as const;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_MB = 50;

interface Problem {
  line: number;
  column: number | null;
  field: string | null;
  value: string | null;
  reason: string;
}

interface Mapping {
  column: string;
  field: string | null;
}

/** The dry run's answer (POST /api/imports?dryRun=true). */
interface Check {
  dryRun: true;
  kind: string;
  format: string;
  encoding: string;
  mapping: Mapping[];
  fields: string[];
  rows: number;
  valid: number;
  rejected: number;
  problems: Problem[];
  problemCount: number;
}

interface MergeCounts {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The import's answer. */
interface Result extends Omit<Check, 'dryRun'> {
  dryRun: false;
  counts: Record<string, MergeCounts> & { placeholderCustomers: number };
  ms: number;
}

type StreamLine =
  | { type: 'progress'; phase: 'checked' | 'reading' | 'merging'; rows: number; rowsTotal: number }
  | { type: 'result'; result: Result }
  | {
      type: 'error';
      status: number;
      error: { code: string; message: string; details: Record<string, unknown> };
    };

type Run =
  | { state: 'idle' }
  | {
      state: 'running';
      phase: 'upload' | 'checked' | 'reading' | 'merging';
      rows: number;
      total: number;
    }
  | { state: 'done'; result: Result }
  | { state: 'failed'; error: unknown };

const COUNT_KINDS = [
  'customers',
  'products',
  'transactions',
  'transactionLines',
  'interactions',
  'subscriptions',
] as const;

function isXlsx(file: File): boolean {
  return /\.xlsx$/i.test(file.name) || file.type === XLSX_TYPE;
}

function formatQuery(
  file: File,
  kind: string,
  map: Record<string, string>,
  extra: Record<string, string>,
): { path: string; raw: { body: Blob; type: string } } {
  const params = new URLSearchParams({ name: file.name, ...extra });
  if (kind) params.set('kind', kind);
  for (const [column, field] of Object.entries(map)) params.append('map', `${column}=${field}`);
  return {
    path: `/api/imports?${params.toString()}`,
    raw: { body: file, type: isXlsx(file) ? XLSX_TYPE : 'text/csv' },
  };
}

export function ImportPage() {
  const { t } = useTranslation();
  const role = useRole();
  const [file, setFile] = useState<File | null>(null);
  const [fileId, setFileId] = useState(0);
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [kind, setKind] = useState('');
  const [map, setMap] = useState<Record<string, string>>({});
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [run, setRun] = useState<Run>({ state: 'idle' });
  const input = useRef<HTMLInputElement>(null);
  const queryClient = useQueryClient();

  const choose = async (f: File | null) => {
    setFile(f);
    setFileId((n) => n + 1);
    setPreview(null);
    setMap({});
    setSkipInvalid(false);
    setRun({ state: 'idle' });
    if (f && !isXlsx(f)) {
      setPreview(previewCsv(new Uint8Array(await f.slice(0, 64 * 1024).arrayBuffer())));
    }
  };

  // The dry run: again whenever the file, the kind or the mapping changes.
  const check = useQuery({
    queryKey: ['import-check', fileId, kind, map],
    enabled: file !== null && (role === 'admin' || role === 'manager'),
    retry: false,
    gcTime: 0,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: ({ signal }) => {
      const q = formatQuery(file as File, kind, map, { dryRun: 'true' });
      return api<Check>(q.path, { method: 'POST', raw: q.raw, signal });
    },
  });

  const startImport = async () => {
    if (!file) return;
    setRun({ state: 'running', phase: 'upload', rows: 0, total: check.data?.rows ?? 0 });
    const q = formatQuery(file, kind, map, skipInvalid ? { skipInvalid: 'true' } : {});
    try {
      let finished = false;
      await apiStream<StreamLine>(q.path, { raw: q.raw }, (line) => {
        if (line.type === 'progress') {
          setRun({ state: 'running', phase: line.phase, rows: line.rows, total: line.rowsTotal });
        } else if (line.type === 'result') {
          finished = true;
          setRun({ state: 'done', result: line.result });
          // every list and figure may have changed
          void queryClient.invalidateQueries({
            predicate: (q) => q.queryKey[0] !== 'import-check',
          });
        } else {
          finished = true;
          const e = line.error;
          setRun({
            state: 'failed',
            error: new ApiError(line.status, e.code, e.message, '/api/imports', e.details),
          });
        }
      });
      if (!finished) {
        setRun({ state: 'failed', error: new ApiError(0, 'network', 'stream ended', q.path) });
      }
    } catch (error) {
      setRun({ state: 'failed', error });
    }
  };

  if (role !== 'admin' && role !== 'manager') {
    return (
      <div className="page">
        <div className="page-head">
          <h1>{t('importPage.title')}</h1>
        </div>
        <Panel title={t('importPage.title')} wide>
          <p className="muted">{t('importPage.notAllowed')}</p>
        </Panel>
      </div>
    );
  }

  // What the mapping editor shows: the dry run's answer, or the columns a file-level error lists.
  const checkError = check.error instanceof ApiError ? check.error : null;
  const details = (checkError?.details ?? {}) as {
    columns?: string[];
    mapping?: Mapping[];
    fields?: string[];
    missing?: string[];
    kind?: string;
  };
  const mapping = check.data?.mapping ?? details.mapping ?? null;
  const fields = check.data?.fields ?? details.fields ?? [];
  const shownKind = check.data?.kind ?? details.kind ?? '';
  const c = check.data;
  const running = run.state === 'running';
  const canImport =
    !!c && !running && c.rows > 0 && (c.rejected === 0 || (skipInvalid && c.valid > 0));

  const fieldLabel = (f: string) => `${t(`importPage.fields.${f}`, { defaultValue: f })} (${f})`;
  const columnName = (p: Problem, m: Mapping[] | null) =>
    p.column === null
      ? ''
      : `${p.column}${m?.[p.column - 1] ? ` · ${m[p.column - 1].column}` : ''}`;

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('importPage.title')}</h1>
      </div>
      <Panel title={t('importPage.step1')} wide>
        <div className="form">
          <label>
            {t('importPage.file')}
            <input
              ref={input}
              type="file"
              accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              disabled={running}
              onChange={(e) => choose(e.target.files?.[0] ?? null)}
            />
          </label>
          <p className="small muted">{t('importPage.fileHint', { mb: MAX_MB })}</p>
          <label>
            {t('importPage.kind')}
            <select
              value={kind}
              disabled={running}
              onChange={(e) => {
                setKind(e.target.value);
                setMap({});
              }}
            >
              <option value="">
                {shownKind && !kind
                  ? t('importPage.autoDetected', { kind: t(`importPage.kinds.${shownKind}`) })
                  : t('importPage.auto')}
              </option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`importPage.kinds.${k}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {file && file.size > MAX_MB * 1024 * 1024 && (
          <p className="error" role="alert">
            {t('importPage.tooLarge', { mb: MAX_MB })}
          </p>
        )}
        {preview && (
          <div data-testid="csv-preview">
            <h3>{t('importPage.preview', { encoding: preview.encoding.toUpperCase() })}</h3>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    {preview.header.map((h, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
                      <th key={i} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((r, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
                    <tr key={i}>
                      {r.map((cell, j) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                        <td key={j}>{cell}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </Panel>

      {file && (
        <Panel title={t('importPage.step2')} wide>
          {check.isFetching && (
            <p role="status" aria-busy="true">
              {t('importPage.checking')}
            </p>
          )}
          {checkError && (
            <CheckErrorBox
              error={checkError}
              missing={details.missing}
              columns={details.columns}
              kind={details.kind}
            />
          )}
          {!checkError && check.error ? <ErrorBox error={check.error} /> : null}
          {c && !check.isFetching && (
            <p
              role="status"
              className={c.rejected ? 'error-text' : 'ok'}
              data-testid="check-summary"
            >
              {c.rejected
                ? t('importPage.checkProblems', {
                    rows: formatNumber(c.rows),
                    rejected: formatNumber(c.rejected),
                    valid: formatNumber(c.valid),
                  })
                : t('importPage.checkValid', {
                    rows: formatNumber(c.rows),
                    kind: t(`importPage.kinds.${c.kind}`),
                    encoding: c.format === 'xlsx' ? 'XLSX' : c.encoding.toUpperCase(),
                  })}
            </p>
          )}
          {mapping && (
            <>
              <h3>{t('importPage.mapping')}</h3>
              <p className="small muted">{t('importPage.mappingHint')}</p>
              <table className="table" data-testid="import-mapping">
                <thead>
                  <tr>
                    <th scope="col">{t('importPage.sourceColumn')}</th>
                    <th scope="col">{t('importPage.targetField')}</th>
                  </tr>
                </thead>
                <tbody>
                  {mapping.map((m) => (
                    <tr key={m.column}>
                      <td>{m.column}</td>
                      <td>
                        <select
                          aria-label={t('importPage.targetFor', { column: m.column })}
                          value={m.field ?? '-'}
                          disabled={running || check.isFetching}
                          onChange={(e) => setMap({ ...map, [m.column]: e.target.value })}
                        >
                          <option value="-">
                            {shownKind === 'customers'
                              ? t('importPage.asAttribute')
                              : t('importPage.ignore')}
                          </option>
                          {fields.map((f) => (
                            <option key={f} value={f}>
                              {fieldLabel(f)}
                            </option>
                          ))}
                        </select>
                        {m.column in map && (
                          <span className="badge warn">{t('importPage.changed')}</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {Object.keys(map).length > 0 && (
                <button type="button" className="link" onClick={() => setMap({})}>
                  {t('importPage.resetMapping')}
                </button>
              )}
            </>
          )}
          {c && c.problems.length > 0 && (
            <ProblemTable
              title={t('importPage.problems', { count: c.problemCount })}
              problems={c.problems}
              more={c.problemCount - c.problems.length}
              columnName={(p) => columnName(p, c.mapping)}
            />
          )}
        </Panel>
      )}

      {c && (
        <Panel title={t('importPage.step3')} wide>
          {c.rejected > 0 && (
            <div>
              <p>{t('importPage.fixOrSkip')}</p>
              <p style={{ display: 'flex', gap: 16, alignItems: 'center', flexWrap: 'wrap' }}>
                <label style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
                  <input
                    type="checkbox"
                    checked={skipInvalid}
                    disabled={running}
                    onChange={(e) => setSkipInvalid(e.target.checked)}
                  />
                  {t('importPage.skipInvalid', {
                    valid: formatNumber(c.valid),
                    rejected: formatNumber(c.rejected),
                  })}
                </label>
                <button type="button" className="link" onClick={() => input.current?.click()}>
                  {t('importPage.chooseAnother')}
                </button>
              </p>
            </div>
          )}
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={!canImport || run.state === 'done'}
              onClick={startImport}
            >
              {running ? t('importPage.importing') : t('importPage.commit')}
            </button>
          </div>
          {running && <ImportProgress run={run} />}
          {run.state === 'failed' && <ImportErrorBox error={run.error} />}
          {run.state === 'done' && <ImportResult result={run.result} columnName={columnName} />}
        </Panel>
      )}
    </div>
  );
}

function ImportProgress({ run }: { run: Extract<Run, { state: 'running' }> }) {
  const { t } = useTranslation();
  const text =
    run.phase === 'upload'
      ? t('importPage.uploading')
      : run.phase === 'merging'
        ? t('importPage.merging', { rows: formatNumber(run.rows) })
        : t('importPage.reading', { rows: formatNumber(run.rows), total: formatNumber(run.total) });
  return (
    <div role="status" data-testid="import-progress">
      <progress
        aria-label={t('importPage.progress')}
        value={run.phase === 'merging' || run.phase === 'upload' ? undefined : run.rows}
        max={Math.max(run.total, 1)}
      />
      <span className="small"> {text}</span>
    </div>
  );
}

function ProblemTable({
  title,
  problems,
  more,
  columnName,
}: {
  title: string;
  problems: Problem[];
  more: number;
  columnName: (p: Problem) => string;
}) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <h3>{title}</h3>
      <div className="table-wrap">
        <table className="table" data-testid="import-problems">
          <thead>
            <tr>
              <th scope="col">{t('importPage.line')}</th>
              <th scope="col">{t('importPage.column')}</th>
              <th scope="col">{t('importPage.field')}</th>
              <th scope="col">{t('importPage.value')}</th>
              <th scope="col">{t('importPage.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems are positional
              <tr key={i}>
                <td className="num">{formatNumber(p.line)}</td>
                <td>{columnName(p)}</td>
                <td>
                  {p.field ? t(`importPage.fields.${p.field}`, { defaultValue: p.field }) : ''}
                </td>
                <td>{p.value ?? ''}</td>
                <td>{importReason(p.reason, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more > 0 && <p className="small muted">{t('importPage.moreProblems', { count: more })}</p>}
    </>
  );
}

function CheckErrorBox({
  error,
  missing,
  columns,
  kind,
}: {
  error: ApiError;
  missing?: string[];
  columns?: string[];
  kind?: string;
}) {
  const { t } = useTranslation();
  let hint: string | null = null;
  if (missing?.length) hint = t('importPage.missingHint', { fields: missing.join('、') });
  else if (columns && !kind) hint = t('importPage.kindHint');
  return (
    <div role="alert">
      <ImportErrorBox error={error} />
      {hint && <p className="small">{hint}</p>}
    </div>
  );
}

/** An error in words, with what to do for the ones an import page meets. */
function ImportErrorBox({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error instanceof ApiError) {
    const said: Record<string, string> = {
      payload_too_large: t('importPage.tooLarge', { mb: MAX_MB }),
      unsupported_media_type: t('importPage.unsupported'),
      conflict: t('importPage.busy', { message: error.message }),
      invalid_rows: t('importPage.invalidRows'),
      invalid_input: t('importPage.invalidFile', { message: error.message }),
    };
    if (error.code in said) {
      const problems = (error.details.problems ?? []) as Problem[];
      return (
        <>
          <div className="error" role="alert">
            <span>{said[error.code]}</span>
          </div>
          {problems.length > 0 && (
            <ProblemTable
              title={t('importPage.problems', {
                count: Number(error.details.problemCount ?? problems.length),
              })}
              problems={problems}
              more={Number(error.details.problemCount ?? 0) - problems.length}
              columnName={(p) => (p.column === null ? '' : String(p.column))}
            />
          )}
        </>
      );
    }
  }
  return <ErrorBox error={error} />;
}

function ImportResult({
  result,
  columnName,
}: {
  result: Result;
  columnName: (p: Problem, m: Mapping[] | null) => string;
}) {
  const { t } = useTranslation();
  const rows = COUNT_KINDS.filter((k) => result.counts[k]?.rows > 0);
  return (
    <div data-testid="import-result">
      <p className="ok" role="status">
        {t('importPage.done', {
          rows: formatNumber(result.valid),
          seconds: (result.ms / 1000).toFixed(1),
        })}
      </p>
      <table className="table" data-testid="import-counts">
        <thead>
          <tr>
            <th scope="col">{t('importPage.countKind')}</th>
            <th scope="col">{t('importPage.inserted')}</th>
            <th scope="col">{t('importPage.updated')}</th>
            <th scope="col">{t('importPage.unchanged')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((k) => (
            <tr key={k}>
              <th scope="row">{t(`importPage.countKinds.${k}`)}</th>
              <td className="num">{formatNumber(result.counts[k].inserted)}</td>
              <td className="num">{formatNumber(result.counts[k].updated)}</td>
              <td className="num">{formatNumber(result.counts[k].unchanged)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.counts.placeholderCustomers > 0 && (
        <p className="small">
          {t('importPage.placeholders', { count: result.counts.placeholderCustomers })}
        </p>
      )}
      {result.rejected > 0 && (
        <ProblemTable
          title={t('importPage.rejected', { count: result.rejected })}
          problems={result.problems}
          more={result.problemCount - result.problems.length}
          columnName={(p) => columnName(p, result.mapping)}
        />
      )}
      <div data-testid="import-analysis-note">
        <p>{t('importPage.analysisNote')}</p>
        <Link href="/analysis" className="button">
          {t('importPage.toAnalysis')}
        </Link>
      </div>
    </div>
  );
}
