/** `tenure stage-model`: show, edit and switch the stage models (issue 4 §1). */
import type { Command } from 'commander';
import { describeStageRules } from '../engine/index.js';
import {
  listStageModels,
  parseThresholdSettings,
  setStageModelEnabled,
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
