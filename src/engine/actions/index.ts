/**
 * Acting on the analysis (issue 9, SPEC §7): association rules by FP-Growth and per-customer
 * cross-sell / up-sell, the reminder calendar (Chinese holidays and festivals, birthdays),
 * next best action, and campaign assignment and measurement.
 */
export * from './association-rules.js';
export * from './calendar.js';
export * from './campaign.js';
export * from './crosssell.js';
export * from './fp-growth.js';
export * from './next-action.js';
export * from './reminders.js';
