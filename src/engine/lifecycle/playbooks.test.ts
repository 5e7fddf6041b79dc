import { describe, expect, test } from 'vitest';
import { InputError } from '../../errors.js';
import { PRESET_MODELS } from './model.js';
import { nextBestAction, type Playbook, PRESET_PLAYBOOKS, validatePlaybook } from './playbooks.js';

const relationship = PRESET_PLAYBOOKS.relationship;

describe('preset playbooks (SPEC §3)', () => {
  test.each(Object.keys(PRESET_MODELS))(
    'the %s playbook covers every stage of its model',
    (key) => {
      const edited = structuredClone(PRESET_PLAYBOOKS[key]);
      expect(validatePlaybook(PRESET_MODELS[key], edited)).toEqual(PRESET_PLAYBOOKS[key]);
    },
  );

  test.each([
    { stage: 'exploration', en: 'Build trust: fast service and a sound first experience' },
    {
      stage: 'formation',
      en: 'Raise satisfaction: complete the profile, personalise, communicate',
    },
    { stage: 'stability', en: 'Deepen loyalty, build exit barriers, lower cost-to-serve' },
    { stage: 'decline', en: 'Recover the relationship: compensate failures, find the cause' },
    { stage: 'churned', en: 'Win back the valuable, let go of the negative-value' },
  ])('the $stage goal follows SPEC §3', ({ stage, en }) => {
    expect(relationship.stages[stage].goal.en).toBe(en);
    expect(relationship.stages[stage].goal.zh).not.toBe('');
    expect(relationship.stages[stage].kpi.en).not.toBe('');
  });

  test('telecom 休眠 dormancy has its own play', () => {
    expect(PRESET_PLAYBOOKS.telecom.stages.dormancy.goal.zh).toBe('唤醒休眠用户，防止销户');
  });

  test('a playbook missing a stage or naming an unknown one is rejected with the path', () => {
    const { decline: _, ...rest } = relationship.stages;
    const missing: Playbook = { modelKey: 'relationship', stages: rest };
    expect(() => validatePlaybook(PRESET_MODELS.relationship, missing)).toThrow(InputError);
    expect(() => validatePlaybook(PRESET_MODELS.relationship, missing)).toThrow(
      'playbook.stages.decline: expected a play for this stage, got undefined',
    );
    const noActions = structuredClone(relationship) as unknown as {
      stages: Record<string, { actions: unknown[] }>;
    };
    noActions.stages.formation.actions = [];
    expect(() => validatePlaybook(PRESET_MODELS.relationship, noActions)).toThrow(
      'playbook.stages.formation.actions: expected at least one action, got 0',
    );
    const extra: Playbook = {
      modelKey: 'relationship',
      stages: { ...relationship.stages, vip: relationship.stages.stability },
    };
    expect(() => validatePlaybook(PRESET_MODELS.relationship, extra)).toThrow(
      'playbook.stages.vip: expected a stage code of model relationship',
    );
  });
});

describe('edited playbooks are checked with paths', () => {
  type Editable = {
    stages: Record<string, { actions: Record<string, unknown>[]; goal: { zh: string } }>;
  };
  test.each([
    {
      title: 'an unknown channel',
      edit: (p: Editable) => {
        p.stages.decline.actions[0].channel = 'fax';
      },
      message:
        'playbooks.relationship.stages.decline.actions.0.channel: expected one of call, sms, email, wechat, visit, in_store, app, none, got "fax"',
    },
    {
      title: 'an unknown value tier',
      edit: (p: Editable) => {
        p.stages.churned.actions[0].tiers = ['gold'];
      },
      message:
        'playbooks.relationship.stages.churned.actions.0.tiers.0: expected one of high, medium, low, negative, got "gold"',
    },
    {
      title: 'a goal without Chinese text',
      edit: (p: Editable) => {
        p.stages.stability.goal.zh = '';
      },
      message:
        'playbooks.relationship.stages.stability.goal.zh: expected a non-empty string, got ""',
    },
    {
      title: 'two actions with the same id',
      edit: (p: Editable) => {
        p.stages.formation.actions[1].id = p.stages.formation.actions[0].id as string;
      },
      message:
        'playbooks.relationship.stages.formation.actions.1.id: expected an id not used earlier in the stage, got "formation-save"',
    },
  ])('$title is rejected', ({ edit, message }) => {
    const p = structuredClone(relationship) as unknown as Editable;
    edit(p);
    expect(() => validatePlaybook(PRESET_MODELS.relationship, p, 'playbooks.relationship')).toThrow(
      message,
    );
  });
});

describe('next best action', () => {
  test.each([
    {
      title: 'a valuable churned customer gets a personal win-back call',
      args: ['churned', 'high', undefined] as const,
      id: 'churned-win-back-call',
      channel: 'call',
    },
    {
      title: 'a negative-value churned customer is let go',
      args: ['churned', 'negative', undefined] as const,
      id: 'churned-let-go',
      channel: 'none',
    },
    {
      title: 'a high-risk valuable customer in decline gets the urgent manager call',
      args: ['decline', 'high', 'high'] as const,
      id: 'decline-manager-call',
      channel: 'call',
    },
    {
      title: 'a low-value customer in decline gets the survey, not a manager call',
      args: ['decline', 'low', 'high'] as const,
      id: 'decline-survey',
      channel: 'sms',
    },
    {
      title: 'a low-risk exploration customer gets the first-experience follow-up',
      args: ['exploration', 'medium', 'low'] as const,
      id: 'exploration-first-experience',
      channel: 'call',
    },
    {
      title: 'without a tier or risk the first non-urgent action is given',
      args: ['formation', undefined, undefined] as const,
      id: 'formation-profile',
      channel: 'wechat',
    },
  ])('$title', ({ args, id, channel }) => {
    const r = nextBestAction(args[0], relationship, args[1], args[2]);
    expect(r.action.id).toBe(id);
    expect(r.action.channel).toBe(channel);
  });

  test('the reason names the stage goal, the tier and the urgency', () => {
    const r = nextBestAction('decline', relationship, 'high', 'high');
    expect(r.reason.en).toBe(
      'stage goal: Recover the relationship: compensate failures, find the cause; suited to high-value customers; churn risk is high, so the urgent action comes first',
    );
    expect(r.reason.zh).toBe(
      '阶段目标：挽回关系：补偿失误、查明原因；适用于高价值客户；流失风险高，优先采取紧急行动',
    );
    expect(r.kpi.en).toBe('Share of declining customers recovered');
  });

  test('a stage the playbook does not know is rejected', () => {
    expect(() => nextBestAction('vip', relationship)).toThrow(
      'stage: expected one of prospect, exploration, formation, stability, decline, churned, got "vip"',
    );
  });
});
