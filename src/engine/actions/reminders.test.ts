import { describe, expect, test } from 'vitest';
import { DEFAULT_TIERS } from '../segments/tiers.js';
import { DEFAULT_SCHEDULER_SETTINGS } from './reminders.js';

describe('one cadence per tier', () => {
  test('the tier treatment says the visit cadence the scheduler creates revisit tasks by', () => {
    const words: Record<string, number | null> = {
      'a visit every month': 30,
      'a visit every quarter': 91,
      'a visit every half year': 182,
      'automated messages only': null,
    };
    for (const tier of DEFAULT_TIERS) {
      expect(words[tier.treatment.contactCadence.en], tier.key).toBe(
        DEFAULT_SCHEDULER_SETTINGS.revisitDays[tier.key],
      );
    }
  });
});
