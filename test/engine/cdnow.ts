/**
 * Loads the CDNOW reference files from ../shared/datasets/cdnow (beside the repository) for
 * the engine's published-value tests. Test-only: the engine itself never reads files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const CDNOW_DIR = path.resolve(import.meta.dirname, '../../../shared/datasets/cdnow');

export interface CdnowSummary {
  id: string[];
  x: number[];
  tx: number[];
  T: number[];
  zbar: number[];
}

/** cdnow_customers_summary_with_transactions.csv: ID,x,t_x,T,zbar (weeks, USD). */
export function loadCdnowSummary(): CdnowSummary {
  const text = readFileSync(
    path.join(CDNOW_DIR, 'cdnow_customers_summary_with_transactions.csv'),
    'utf8',
  );
  const out: CdnowSummary = { id: [], x: [], tx: [], T: [], zbar: [] };
  for (const line of text.trim().split(/\r?\n/).slice(1)) {
    const [id, x, tx, T, zbar] = line.split(',');
    out.id.push(id);
    out.x.push(Number(x));
    out.tx.push(Number(tx));
    out.T.push(Number(T));
    out.zbar.push(Number(zbar));
  }
  return out;
}

/** cdnow_customers_summary.csv: ID,frequency,recency,T (weeks). */
export function loadCdnowRfm(): Omit<CdnowSummary, 'zbar'> {
  const text = readFileSync(path.join(CDNOW_DIR, 'cdnow_customers_summary.csv'), 'utf8');
  const out: Omit<CdnowSummary, 'zbar'> = { id: [], x: [], tx: [], T: [] };
  for (const line of text.trim().split(/\r?\n/).slice(1)) {
    const [id, x, tx, T] = line.split(',');
    out.id.push(id);
    out.x.push(Number(x));
    out.tx.push(Number(tx));
    out.T.push(Number(T));
  }
  return out;
}

export interface CdnowEvent {
  customerId: string;
  occurredAt: Date;
  amountMinor: number;
}

/** CDNOW_sample.txt: master id, sample id, YYYYMMDD, CDs, dollars (whitespace separated). */
export function loadCdnowSampleEvents(): CdnowEvent[] {
  const text = readFileSync(path.join(CDNOW_DIR, 'CDNOW_sample.txt'), 'utf8');
  const out: CdnowEvent[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const d = f[2];
    out.push({
      customerId: f[1],
      occurredAt: new Date(
        Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8))),
      ),
      amountMinor: Math.round(Number(f[4]) * 100),
    });
  }
  return out;
}
