/**
 * The `eddy` command line: `eddy train`, `eddy sample`, `eddy logprob`, `eddy info`,
 * `eddy bench`. `main(argv)` returns the exit code (0 ok, 1 failure, 2 bad arguments).
 *
 * @example
 * ```ts
 * import { main } from '@eddy/cli';
 * process.exitCode = await main(['sample', 'model.safetensors', '-n', '1e6', '--out', 's.npy']);
 * ```
 *
 * @packageDocumentation
 */
import '@eddy/backend-cpu';
import { parseArgs } from 'node:util';
import { COMMANDS, type Io, UsageError } from './commands.js';

export { COMMANDS, UsageError, readRows, type Command, type Io } from './commands.js';
export { ProgressBar, formatCount, formatSeconds } from './progress.js';

const TOP_HELP = `eddy — normalizing flows on Node.js

usage: eddy <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run "eddy <command> --help" for a command's options.
`;

/**
 * Runs the CLI on `argv` (without `node` and the script); returns the exit code.
 *
 * @example
 * ```ts
 * const code = await main(['info', 'model.safetensors']);
 * ```
 */
export async function main(argv: readonly string[], io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(TOP_HELP);
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  if (cmd === undefined) {
    io.err(`eddy: unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const opts = Object.keys(cmd.options).map((o) => `--${o}`);
    io.out(`${cmd.summary}\n\nusage: ${cmd.usage}\n${opts.length > 0 ? `\noptions: ${opts.join(' ')}\n` : ''}`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: [...rest], options: cmd.options, allowPositionals: true, strict: true });
    await cmd.run(values as Record<string, string | boolean | undefined>, positionals, io);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS') === true) {
      io.err(`eddy ${name}: ${err.message.split('\n')[0]}\n`);
      return 2;
    }
    io.err(`eddy ${name}: ${err.name}: ${err.message}\n`);
    return 1;
  }
}
