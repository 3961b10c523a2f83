/**
 * The `eddy` command line: `eddy train`, `eddy sample`, `eddy logprob`, `eddy merge`,
 * `eddy info`, `eddy bench`, `eddy cluster` (worker, submit, follow, status, cancel, merge). `main(argv)` returns the exit code (0 ok, 1 failure, 2 bad arguments).
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
import { type Command, type Io, StoppedError, UsageError, flag, helpText, parseArgsOptions } from './command.js';
import { COMMANDS, missingRequired } from './commands.js';
import { version } from './version.js';

export { StoppedError, UsageError, flag, helpText, usage, type Command, type Io, type OptionSpec } from './command.js';
export { COMMANDS, TrainingError } from './commands.js';
export { redisUrl, statusText } from './cluster.js';
export { checkDistinct, checkSafetensorsFile, loadModel, modelChecksum, readRows, type ReadRowsOptions } from './files.js';
export { parseRowsOption, resolveRows, type RowsOption } from './rows.js';
export { ProgressBar, formatCount, formatSeconds } from './progress.js';
export { version } from './version.js';

const topHelp = (): string => `eddy ${version()} — normalizing flows on Node.js

usage: eddy <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run "eddy <command> --help" for a command's options; "eddy --version" prints the version.
`;

/** Exit status of a command stopped by a signal (the shell's convention: 128 + its number). */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * parseArgs's message for a value that looks like an option (`-n -5`), in this CLI's
 * spelling of the option; other messages as they are.
 */
function parseArgsMessage(err: Error & { code?: string }, options: Readonly<Record<string, { short?: string }>>): string {
  // Node names the option as it was typed ('-n', '--out'), or by both its spellings.
  const m = /^Option '-{1,2}([\w-]+)[^']*' argument is ambiguous/.exec(err.message);
  const spelled = m?.[1];
  const name = spelled === undefined ? undefined : Object.hasOwn(options, spelled) ? spelled : Object.keys(options).find((k) => options[k]?.short === spelled);
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name !== undefined) {
    const written = name.length === 1 ? `${flag(name)}-5` : `${flag(name)}=-5`;
    return `${flag(name)} needs a value, and the next argument looks like an option; a value that starts with a dash is written ${written}`;
  }
  return err.message.split('\n').join(' ');
}

/**
 * Runs the CLI on `argv` (without `node` and the script); returns the exit code: 0 done,
 * 1 failed, 2 bad arguments, 130/143 stopped by SIGINT/SIGTERM. Without an `io`, it
 * writes to the process's stdout/stderr (progress redrawn in place when stderr is a
 * terminal) and, while `sample`, `logprob`, `merge` or `bench` run, turns SIGINT and SIGTERM into
 * a cancellation: the job stops, its output file is not written (a previous one is
 * kept), and a second signal exits at once. `cluster submit` and `cluster follow` then
 * stop following (the job keeps running in the cluster) and say so.
 *
 * @example
 * ```ts
 * import { main } from '@eddy/cli';
 * const code = await main(['info', 'model.safetensors']);
 * ```
 */
export async function main(argv: readonly string[], io?: Io): Promise<number> {
  const sink: Io = io ?? {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    tty: process.stderr.isTTY === true,
    ...(process.stderr.columns === undefined ? {} : { columns: process.stderr.columns }),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    sink.out(topHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    sink.out(`${version()}\n`);
    return 0;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (cmd === undefined) {
    sink.err(`eddy: unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')}, or --help)\n`);
    return 2;
  }
  return runCommand(name, cmd, rest, sink, io);
}

/** Runs `eddy <name> ...rest` (a subcommand's name is `cluster submit`): help, parsing, signals, exit code. */
async function runCommand(name: string, cmd: Command, rest: readonly string[], sink: Io, io: Io | undefined): Promise<number> {
  if (cmd.subcommands !== undefined) {
    const [subName, ...subRest] = rest;
    if (subName === undefined || subName === '--help' || subName === '-h' || subName === 'help') {
      sink.out(helpText(name, cmd));
      return subName === undefined ? 2 : 0;
    }
    const sub = Object.hasOwn(cmd.subcommands, subName) ? cmd.subcommands[subName] : undefined;
    if (sub === undefined) {
      sink.err(`eddy ${name}: unknown subcommand "${subName}" (try: ${Object.keys(cmd.subcommands).join(', ')}, or eddy ${name} --help)\n`);
      return 2;
    }
    return runCommand(`${name} ${subName}`, sub, subRest, sink, io);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    sink.out(helpText(name, cmd));
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
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: [...rest], options: parseArgsOptions(cmd), allowPositionals: true, strict: true });
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code?.startsWith('ERR_PARSE_ARGS') === true) throw new UsageError(parseArgsMessage(err, cmd.options));
      throw e;
    }
    const { values, positionals } = parsed;
    if (positionals.length > cmd.positionals) {
      const extra = positionals.slice(cmd.positionals).map((p) => JSON.stringify(p));
      throw new UsageError(
        `unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')} (${name} takes ${cmd.positionals === 0 ? 'no positional arguments' : `at most ${cmd.positionals}`})`,
      );
    }
    const missing = missingRequired(cmd, values);
    if (missing.length > 0) throw new UsageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required (see eddy ${name} --help)`);
    await cmd.run(values as Record<string, string | boolean | undefined>, positionals, wire ? { ...sink, signal: controller.signal } : sink);
    return 0;
  } catch (e) {
    const err = e as Error;
    const signal = received ?? (io?.signal?.aborted === true ? String(io.signal.reason) : undefined);
    if (signal !== undefined) {
      sink.err(`eddy ${name}: ${err instanceof StoppedError ? err.message : `stopped by ${signal}; nothing was written`}\n`);
      return SIGNAL_EXIT[signal] ?? 1;
    }
    if (err instanceof UsageError) {
      sink.err(`eddy ${name}: ${err.message.split('\n').join(' ')}\n`);
      return 2;
    }
    sink.err(`eddy ${name}: ${err.name}: ${err.message}\n`);
    return 1;
  } finally {
    if (wire) for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, onSignal);
  }
}
