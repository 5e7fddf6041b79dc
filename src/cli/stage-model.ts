/** `tenure stage-model`: show, edit and switch the stage models (issue 4 §1). */

import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { describeStageRules } from '../engine/index.js';
import { InputError, NotFoundError } from '../errors.js';
import {
  listStageModels,
  parseThresholdSettings,
  setStageModelEnabled,
  setStagePlaybook,
  setStageThresholds,
} from '../store/stage-model-repo.js';
import { type CliContext, printJson } from './context.js';
import { withDb } from './with-db.js';

export function registerStageModel(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('stage-model')
    .description('show and edit the lifecycle stage models (rules, thresholds, which are enabled)');

  cmd
    .command('show')
    .description('the stored models with their stages, rules in order and thresholds')
    .argument('[model]', 'one model (default: all)')
    .option('--json', 'print as JSON')
    .action(async (key: string | undefined, opts) => {
      const models = await withDb(ctx, (db) => listStageModels(db));
      const chosen = models.filter((m) => !key || m.model.key === key);
      if (opts.json) {
        printJson(
          ctx,
          chosen.map((m) => ({ ...m.model, enabled: m.enabled })),
        );
        return;
      }
      for (const { model, enabled } of chosen) {
        ctx.out.write(
          `${model.name.zh} ${model.name.en} (${model.key}, version ${model.version}, ${enabled ? 'enabled' : 'disabled'})\n`,
        );
        ctx.out.write(
          `  stages: ${model.stages.map((s) => `${s.name.zh} ${s.name.en}`).join(' → ')}\n`,
        );
        for (const r of describeStageRules(model)) {
          ctx.out.write(`  ${r.text.zh} — ${r.text.en}\n`);
        }
        ctx.out.write(
          `  thresholds: ${Object.entries(model.thresholds)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}\n`,
        );
      }
    });

  cmd
    .command('set')
    .description('change thresholds of a model; it becomes a new version, earlier history stays')
    .argument('<model>', 'the model, e.g. relationship')
    .argument('<settings...>', 'name=value, e.g. declineGapRatio=2.5')
    .option('--json', 'print as JSON')
    .action(async (key: string, settings: string[], opts) => {
      const changes = parseThresholdSettings(settings);
      const model = await withDb(ctx, (db) => setStageThresholds(db, key, changes));
      if (opts.json) printJson(ctx, model);
      else {
        ctx.out.write(
          `${model.key} is now version ${model.version}: ${Object.entries(changes)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}; run tenure analyze to apply it\n`,
        );
      }
    });

  cmd
    .command('playbook')
    .description("print a model's playbook as JSON, or replace it with --file (validated)")
    .argument('<model>', 'the model, e.g. relationship')
    .option(
      '--file <playbook.json>',
      'the new playbook: {modelKey, stages: {code: {goal, kpi, actions}}}',
    )
    .action(async (key: string, opts) => {
      if (opts.file) {
        let input: unknown;
        try {
          input = JSON.parse(await readFile(opts.file, 'utf8'));
        } catch (error) {
          throw new InputError(
            `${opts.file}: not a readable JSON file (${(error as Error).message})`,
            {
              file: opts.file,
            },
          );
        }
        const playbook = await withDb(ctx, (db) => setStagePlaybook(db, key, input));
        ctx.out.write(
          `the ${playbook.modelKey} playbook was replaced (${Object.keys(playbook.stages).length} stages)\n`,
        );
        return;
      }
      const models = await withDb(ctx, (db) => listStageModels(db));
      const found = models.find((m) => m.model.key === key);
      if (!found)
        throw new NotFoundError(`no stage model "${key}"`, { field: 'model', value: key });
      printJson(ctx, found.playbook);
    });

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    cmd
      .command(name)
      .description(`${name} a model for tenure analyze (its history stays)`)
      .argument('<model>', 'the model, e.g. contact or six-stage')
      .action(async (key: string) => {
        await withDb(ctx, (db) => setStageModelEnabled(db, key, enabled));
        ctx.out.write(`${key} ${enabled ? 'enabled' : 'disabled'}\n`);
      });
  }
}
