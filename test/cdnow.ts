/** The CDNOW reference data (../shared/datasets/cdnow), read for tests. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const CDNOW_DIR = path.resolve(import.meta.dirname, '../../shared/datasets/cdnow');

export interface CdnowPurchase {
  customerId: string;
  occurredAt: Date;
  amountMinor: number;
}

/** CDNOW_sample.txt: master id, sample id, YYYYMMDD, CDs, dollars (whitespace-separated). */
export function readCdnowSample(): CdnowPurchase[] {
  const text = readFileSync(path.join(CDNOW_DIR, 'CDNOW_sample.txt'), 'utf8');
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [, sampleId, ymd, , dollars] = l.trim().split(/\s+/);
      return {
        customerId: sampleId.padStart(4, '0'),
        occurredAt: new Date(Date.UTC(+ymd.slice(0, 4), +ymd.slice(4, 6) - 1, +ymd.slice(6, 8))),
        amountMinor: Math.round(Number(dollars) * 100),
      };
    });
}
