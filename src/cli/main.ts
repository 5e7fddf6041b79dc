/** Entry point of the `tenure` command: builds the program, runs it, maps errors to exit codes. */
import { type Config, loadConfig } from '../config.js';
import { describeError, exitCodeFor } from './context.js';
import { buildProgram } from './program.js';

const debug = process.argv.includes('--debug');
let config = { debug } as Config;
try {
  config = loadConfig(process.env, debug ? { debug } : {});
  const program = buildProgram({
    config,
    out: process.stdout,
    err: process.stderr,
    interactive: Boolean(process.stderr.isTTY),
  });
  await program.parseAsync(process.argv);
} catch (error) {
  const code = exitCodeFor(error);
  if (code !== 0) process.stderr.write(`tenure: ${describeError(error, config.debug)}\n`);
  process.exitCode = code;
}
