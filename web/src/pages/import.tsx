/** Upload a file, see the column mapping and every problem (line, column, reason) before anything is written. */
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.js';
import { ErrorBox, Panel } from '../components/ui.js';
import { type CsvPreview, previewCsv } from '../csv-preview.js';
import { formatNumber } from '../format.js';

interface ImportReport {
  dryRun?: boolean;
  kind?: string;
  rows?: number;
  valid?: number;
  mapping?: { column: string; field: string | null }[];
  problems?: {
    line?: number;
    column?: string | number;
    field?: string;
    reason?: string;
    message?: string;
  }[];
  counts?: Record<string, number>;
}

export function ImportPage() {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const choose = async (f: File | null) => {
    setFile(f);
    setPreview(null);
    run.reset();
    if (f && /\.(csv|txt)$/i.test(f.name)) {
      setPreview(previewCsv(new Uint8Array(await f.slice(0, 64 * 1024).arrayBuffer())));
    }
  };
  const [kind, setKind] = useState('');
  const run = useMutation({
    mutationFn: (dryRun: boolean) => {
      // The server reads a CSV sent as the body (text/csv); other formats go as a form upload.
      const csv = !!file && /\.(csv|txt)$/i.test(file.name);
      const form = new FormData();
      if (file && !csv) form.append('file', file, file.name);
      return api<ImportReport>('/api/imports', {
        method: 'POST',
        ...(csv && file ? { raw: { body: file, type: 'text/csv' } } : { form }),
        query: { dryRun, kind: kind || undefined, name: file?.name },
      });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate(true);
  };
  const r = run.data;
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('importPage.title')}</h1>
      </div>
      <Panel title={t('importPage.title')} wide>
        <form className="form" onSubmit={submit}>
          <label>
            {t('importPage.file')}
            <input
              type="file"
              accept=".csv,.xlsx,.jsonl,.txt"
              onChange={(e) => choose(e.target.files?.[0] ?? null)}
            />
          </label>
          <label>
            {t('importPage.kind')}
            <select value={kind} onChange={(e) => setKind(e.target.value)}>
              <option value="">{t('importPage.auto')}</option>
              {['customers', 'transactions', 'products', 'interactions', 'subscriptions'].map(
                (k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ),
              )}
            </select>
          </label>
          <div className="row">
            <button type="submit" disabled={!file || run.isPending}>
              {t('importPage.validate')}
            </button>
            <button
              type="button"
              className="primary"
              disabled={!file || run.isPending || !r || (r.problems?.length ?? 0) > 0}
              onClick={() => run.mutate(false)}
            >
              {t('importPage.commit')}
            </button>
          </div>
          {run.isPending && <progress aria-label={t('analysis.progress')} />}
        </form>
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
                      {r.map((c, j) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                        <td key={j}>{c}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
        {run.error && <ErrorBox error={run.error} />}
        {r && (
          <div>
            {r.dryRun === false ? (
              <p className="ok" role="status">
                {t('importPage.done')}
              </p>
            ) : (
              !r.problems?.length && (
                <p className="ok" role="status">
                  {t('importPage.valid', { count: r.valid ?? r.rows ?? 0 })}
                </p>
              )
            )}
            {r.mapping?.length ? (
              <>
                <h3>{t('importPage.mapping')}</h3>
                <table className="table">
                  <tbody>
                    {r.mapping.map((m) => (
                      <tr key={m.column}>
                        <td>{m.column}</td>
                        <td>→ {m.field ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : null}
            {r.problems?.length ? (
              <>
                <h3>{t('importPage.problems')}</h3>
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">{t('importPage.line')}</th>
                      <th scope="col">{t('importPage.column')}</th>
                      <th scope="col">{t('importPage.reason')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.problems.map((p, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: problems are positional
                      <tr key={i}>
                        <td>{formatNumber(p.line ?? null)}</td>
                        <td>{p.column ?? p.field ?? ''}</td>
                        <td>{p.reason ?? p.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : null}
          </div>
        )}
      </Panel>
    </div>
  );
}
