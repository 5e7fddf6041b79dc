/** The command tree. Each command lives in its own file and registers itself here. */
import { Command, type CommanderError } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerChurn } from './churn.js';
import type { CliContext } from './context.js';
import { ExitError } from './context.js';
import { registerCustomer } from './customer.js';
import { registerDemo } from './demo.js';
import { registerFit } from './fit.js';
import { registerImport } from './import.js';
import { registerSegments } from './segments.js';
import { registerServe } from './serve.js';
import { registerStageModel } from './stage-model.js';
import { registerStages } from './stages.js';
import { registerUser } from './user.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('tenure')
    .description('Customer lifecycle management: stages, value, segments, churn, next actions')
    .option('--debug', 'show stack traces on errors')
    .exitOverride((e: CommanderError) => {
      // --help and --version are successes; anything else commander rejects is invalid usage.
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.exitCode === 0
      )
        throw new ExitError(0, '');
      throw new ExitError(2, e.message.replace(/^error: /, ''));
    })
    .configureOutput({
      writeOut: (s) => ctx.out.write(s),
      writeErr: (s) => ctx.err.write(s),
      outputError: () => {},
    })
    .showSuggestionAfterError();
  registerAnalyze(program, ctx);
  registerDemo(program, ctx);
  registerImport(program, ctx);
  registerStageModel(program, ctx);
  registerFit(program, ctx);
  registerStages(program, ctx);
  registerCustomer(program, ctx);
  registerServe(program, ctx);
  registerUser(program, ctx);
  registerChurn(program, ctx);
  registerSegments(program, ctx);
  return program;
}
