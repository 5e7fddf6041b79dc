import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../src/cli/demo.js';
import { BACKENDS } from './backends.js';
import { type CliTarget, makeCliTarget, runTenure } from './cli-harness.js';

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(`tenure churn on ${backend.name}`, () => {
    let target: CliTarget;

    const tenure = (...args: string[]) => runTenure(target.env, args);

    let analyze: { code: number; out: string; err: string };

    beforeAll(async () => {
      target = await makeCliTarget(backend.name, 'churn');
      const db = await target.open();
      try {
        await loadDemo(db, {
          customers: 600,
          years: 2,
          seed: 3,
          industry: 'retail',
          asOf: new Date('2026-06-30T00:00:00Z'),
        });
      } finally {
        await db.close();
      }
      analyze = await tenure('analyze', '--as-of', '2026-06-30', '--json');
    }, 300_000);
    afterAll(async () => target?.cleanup());

    test('issue 6: tenure analyze scores churn after the value and lifecycle analysis', () => {
      expect(analyze.code, analyze.err).toBe(0);
      const r = JSON.parse(analyze.out);
      expect(r.churn).toMatchObject({ asOf: '2026-06-30', windowDays: 90, model: 'logistic' });
      expect(r.churn.training.asOfDates.length).toBeGreaterThan(0);
      expect(r.churn.training.holdoutMetrics.rocAuc).toBeGreaterThan(0.6);
      expect(Object.keys(r.churn.levels).sort()).toEqual(['orange', 'red', 'yellow']);
      expect(r.churn.alerts.raised).toBe(
        r.churn.levels.red + r.churn.levels.orange + r.churn.levels.yellow,
      );
    });

    test('issue 6 §6: tenure churn --json lists customers at risk by value at risk, with probability, reasons and owner', async () => {
      const r = await tenure('churn', '--json', '--limit', '20');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.asOf).toBe('2026-06-30');
      expect(j.model).toMatchObject({ kind: 'logistic', windowDays: 90 });
      expect(j.customers.length).toBe(
        Math.min(20, j.counts.red + j.counts.orange + j.counts.yellow),
      );
      for (const c of j.customers) {
        expect(Object.keys(c).sort()).toEqual(
          [
            'alertId',
            'clvMinor',
            'customerId',
            'daysSinceLastPurchase',
            'level',
            'name',
            'ownerId',
            'reasons',
            'risk',
            'valueAtRiskMinor',
          ].sort(),
        );
        expect(c.risk).toBeGreaterThanOrEqual(0.7);
        expect(c.alertId).toMatch(/^churn:2026-06-30:(red|orange|yellow)$/);
        for (const reason of c.reasons)
          expect(Object.keys(reason).sort()).toEqual(['contribution', 'en', 'feature', 'zh']);
      }
      const values = j.customers.map((c: { valueAtRiskMinor: number }) => c.valueAtRiskMinor);
      expect(values).toEqual([...values].sort((a: number, b: number) => b - a));
      const red = JSON.parse((await tenure('churn', '--level', 'red', '--json')).out);
      expect(red.customers.every((c: { level: string }) => c.level === 'red')).toBe(true);
      expect(red.customers.length).toBe(Math.min(50, j.counts.red));
    });

    test('issue 6 §3: tenure churn backtest --json gives the model and the P(alive) baseline side by side', async () => {
      const r = await tenure('churn', 'backtest', '--window', '90d', '--json');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      expect(j).toMatchObject({ asOf: '2026-04-01', windowDays: 90, windowEnd: '2026-06-30' });
      for (const m of [j.model.metrics, j.baseline.metrics]) {
        expect(m.deciles).toHaveLength(10);
        expect(m.rocAuc).toBeGreaterThan(0.5);
        expect(m.customers).toBe(j.model.metrics.customers);
        for (const k of ['prAuc', 'brier', 'topDecileLift', 'baseRate'])
          expect(typeof m[k]).toBe('number');
      }
      expect(j.model.metrics.rocAuc).toBeGreaterThanOrEqual(j.baseline.metrics.rocAuc);
      const human = await tenure('churn', 'backtest', '--as-of', '2026-03-01');
      expect(human.code, human.err).toBe(0);
      expect(human.out).toContain('P(alive) baseline');
      expect(human.out).toContain('churn backtest as of 2026-03-01');
    });

    test('issue 6 §5: tenure churn cohorts --json gives cohorts, survival with group lifetime, and reasons before churn', async () => {
      const r = await tenure('churn', 'cohorts', '--json');
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out);
      expect(j.asOf).toBe('2026-06-30');
      expect(j.overall.customers).toBe(j.customers);
      if (j.overall.groupLifetimeYears !== null)
        expect(j.overall.groupLifetimeYears).toBeCloseTo(1 / j.overall.churnRatePerYear, 10);
      expect(j.cohorts.length).toBeGreaterThan(12);
      expect(j.cohorts[0].retention[0]).toBe(1);
      expect(j.dimensions.map((d: { dimension: string }) => d.dimension)).toContain(
        'acquisition channel',
      );
      expect(j.reasonsBeforeChurn.map((x: { reason: string }) => x.reason)).toContain('complaint');
    });

    test('tenure churn thresholds shows and sets the warning levels', async () => {
      const set = await tenure('churn', 'thresholds', 'red=0.95', 'window=60', '--json');
      expect(set.code, set.err).toBe(0);
      expect(JSON.parse(set.out)).toMatchObject({
        windowDays: 60,
        warning: { kind: 'probability', red: 0.95 },
      });
      const shown = await tenure('churn', 'thresholds');
      expect(shown.out).toContain(
        'churn window 60 days; levels by probability: red ≥ 0.95, orange ≥ 0.8',
      );
      await tenure('churn', 'thresholds', 'red=0.9', 'window=90');
    });

    test.each([
      {
        title: 'an unknown level',
        args: ['churn', '--level', 'purple'],
        message: '--level must be one of red, orange, yellow, got "purple"',
      },
      {
        title: 'a bad window',
        args: ['churn', 'backtest', '--window', '5x'],
        message: '--window must be a number of days (90d) or weeks (13w)',
      },
      {
        title: 'a backtest whose window runs past the data',
        args: ['churn', 'backtest', '--as-of', '2026-06-01'],
        message: 'the 90-day window after it runs past the last order',
      },
      {
        title: 'thresholds out of order',
        args: ['churn', 'thresholds', 'yellow=0.97'],
        message: 'expected red ≥ orange ≥ yellow',
      },
      {
        title: 'an unknown setting',
        args: ['churn', 'thresholds', 'purple=1'],
        message: 'setting purple: unknown',
      },
    ])('$title exits 2 and says why', async ({ args, message }) => {
      const r = await tenure(...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
    });
  });
}
