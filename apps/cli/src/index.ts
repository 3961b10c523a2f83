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

export { COMMANDS, TrainingError, UsageError, checkDistinct, readRows, type Command, type Io } from './commands.js';
export { ProgressBar, formatCount, formatSeconds } from './progress.js';

const TOP_HELP = `eddy — normalizing flows on Node.js

usage: eddy <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run "eddy <command> --help" for a command's options.
`;

/** Exit status of a command stopped by a signal (the shell's convention: 128 + its number). */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs the CLI on `argv` (without `node` and the script); returns the exit code: 0 done,
 * 1 failed, 2 bad arguments, 130/143 stopped by SIGINT/SIGTERM. Without an `io`, it
 * writes to the process's stdout/stderr and, while `sample`, `logprob` or `bench` run,
 * turns SIGINT and SIGTERM into a cancellation: the job stops, its output file is not
 * written (a previous one is kept), and a second signal exits at once.
 *
 * @example
 * ```ts
 * const code = await main(['info', 'model.safetensors']);
 * ```
 */
export async function main(argv: readonly string[], io?: Io): Promise<number> {
  const sink: Io = io ?? { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    sink.out(TOP_HELP);
    return name === undefined ? 2 : 0;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (cmd === undefined) {
    sink.err(`eddy: unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const opts = Object.keys(cmd.options).map((o) => `--${o}`);
    sink.out(`${cmd.summary}\n\nusage: ${cmd.usage}\n${opts.length > 0 ? `\noptions: ${opts.join(' ')}\n` : ''}`);
    return 0;
  }
  // Signals cancel pool jobs, which run on other threads; `train` runs on this one and
  // keeps the default (the process ends; its output is written only when it is done).
  let received: string | undefined;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) process.exit(SIGNAL_EXIT[signal] ?? 1);
    received = signal;
    controller.abort(signal);
  };
  const wire = io === undefined && cmd.interruptible;
  if (wire) for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, onSignal);
  try {
    const { values, positionals } = parseArgs({ args: [...rest], options: cmd.options, allowPositionals: true, strict: true });
    if (positionals.length > cmd.positionals) {
      const extra = positionals.slice(cmd.positionals).map((p) => JSON.stringify(p));
      throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')} (${name} takes ${cmd.positionals === 0 ? 'no positional arguments' : `at most ${cmd.positionals}`})`);
    }
    await cmd.run(values as Record<string, string | boolean | undefined>, positionals, wire ? { ...sink, signal: controller.signal } : sink);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    const signal = received ?? (io?.signal?.aborted === true ? String(io.signal.reason) : undefined);
    if (signal !== undefined) {
      sink.err(`eddy ${name}: stopped by ${signal}; nothing was written\n`);
      return SIGNAL_EXIT[signal] ?? 1;
    }
    if (err instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS') === true) {
      // parseArgs explains on several lines (e.g. how to pass a negative value): keep them all, on one.
      sink.err(`eddy ${name}: ${err.message.split('\n').join(' ')}\n`);
      return 2;
    }
    sink.err(`eddy ${name}: ${err.name}: ${err.message}\n`);
    return 1;
  } finally {
    if (wire) for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, onSignal);
  }
}
