import type { ParseArgsConfig } from 'node:util';

/**
 * A bad command line: printed as one line, exit code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from '@eddy/cli';
 * throw new UsageError('-n must be an integer ≥ 1, got 0');
 * ```
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A command stopped by SIGINT/SIGTERM that says itself what was left behind: `main`
 * prints its message (instead of "nothing was written") and exits with 130/143.
 *
 * @example
 * ```ts
 * import { StoppedError } from '@eddy/cli';
 * throw new StoppedError('stopped following job c1f2 on SIGINT; it keeps running in the cluster');
 * ```
 */
export class StoppedError extends Error {
  override name = 'StoppedError';
}

/**
 * Where a command writes (swappable in tests).
 */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /**
   * Whether `err` is a terminal: progress bars are then redrawn in place (`\r`, cleared to
   * the end of the line) instead of printed as a line every few seconds. Default false.
   */
  tty?: boolean;
  /** The terminal's width in characters, when known: a redrawn bar is cut to fit it. */
  columns?: number;
  /**
   * Cancels the pool jobs of `sample` and `logprob` (their output is then not written).
   * `main` without an `Io` wires SIGINT and SIGTERM to it while such a job runs.
   */
  signal?: AbortSignal;
}

/**
 * One option of a command: how it is parsed and what `--help` says of it. The help text
 * is made from these, so what a command accepts and what its help lists are one list.
 */
export interface OptionSpec {
  /** `string` takes a value; `boolean` is a switch. */
  type: 'string' | 'boolean';
  /** A one-letter alias (`-n`). An option whose name is one letter is written with one dash. */
  short?: string;
  /** What stands for the value in the help (`N`, `FILE`). */
  arg?: string;
  /** One line for `--help`. */
  description: string;
  /** The value when the option is not given, as typed on a command line (shown by `--help`). */
  default?: string;
  /** What `--help` shows as the default when it is not one fixed value (`the flow's own`). */
  defaultText?: string;
  /** The command refuses to run without it. */
  required?: boolean;
  /**
   * The command refuses to run without it unless one of these options (long names) is
   * given: `-n` of `sample`, unless `--rows` says which rows to write. Listed in the usage
   * line like a required option; `--help` says when it may be left out.
   */
  requiredUnless?: readonly string[];
}

/**
 * One subcommand: its help text, options and action.
 *
 * @example
 * ```ts
 * import { type Command } from '@eddy/cli';
 * const hello: Command = {
 *   summary: 'say hello', args: '', positionals: 0, interruptible: false,
 *   options: { name: { type: 'string', arg: 'NAME', description: 'whom to greet', default: 'world' } },
 *   async run(v, _p, io) { io.out(`hello ${v.name}\n`); },
 * };
 * ```
 */
export interface Command {
  summary: string;
  /** The positional arguments in the usage line (`<model.safetensors>`, `[model.safetensors]`). */
  args: string;
  /** Its options by long name (without the dashes). */
  options: Readonly<Record<string, OptionSpec>>;
  /** Most positional arguments it takes (more is a usage error, never ignored). */
  positionals: number;
  /**
   * Whether SIGINT/SIGTERM cancel it (its work runs on the pool's threads, so this one can
   * react); otherwise the signals keep their default and end the process.
   */
  interruptible: boolean;
  /**
   * Subcommands (`eddy cluster submit`): the first positional argument names one, which
   * then parses the rest of the line with its own options; `--help` lists them.
   */
  subcommands?: Readonly<Record<string, Command>>;
  /** Does the work; `values` has every option given, and the defaults of those not given. */
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: Io): Promise<void>;
}

/**
 * How an option is written on the command line and in every message: `-n` for a
 * one-letter name, `--out` otherwise.
 *
 * @example
 * ```ts
 * import { flag } from '@eddy/cli';
 * flag('n');   // '-n'
 * flag('out'); // '--out'
 * ```
 */
export function flag(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/**
 * A command's options in `node:util` `parseArgs`'s form (type, alias, default).
 *
 * @example
 * ```ts
 * parseArgs({ args, options: parseArgsOptions(COMMANDS.sample), allowPositionals: true });
 * ```
 */
export function parseArgsOptions(cmd: Command): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(cmd.options)) {
    out[name] = { type: o.type, ...(o.short === undefined ? {} : { short: o.short }), ...(o.default === undefined ? {} : { default: o.default }) };
  }
  return out;
}

/** An option as the help lists it: `-n N`, `--out FILE`, `--header`. */
function spelled(name: string, o: OptionSpec): string {
  const names = o.short !== undefined && o.short !== name ? `-${o.short}, ${flag(name)}` : flag(name);
  return o.type === 'string' ? `${names} ${o.arg ?? 'VALUE'}` : names;
}

/**
 * The usage line of a command: its positional arguments, its required options, then
 * `[options]`.
 *
 * @example
 * ```ts
 * import { COMMANDS, usage } from '@eddy/cli';
 * usage('sample', COMMANDS.sample!); // 'eddy sample <model.safetensors> -n N --out FILE [options]'
 * ```
 */
export function usage(name: string, cmd: Command): string {
  const required = Object.entries(cmd.options)
    .filter(([, o]) => o.required === true || o.requiredUnless !== undefined)
    .map(([n, o]) => spelled(n, o));
  return ['eddy', name, cmd.args, ...required, '[options]'].filter((s) => s !== '').join(' ');
}

/**
 * `eddy <command> --help`: the summary, the usage line, and every option with its
 * description and default (or "required"), made from the command's {@link OptionSpec}s.
 *
 * @example
 * ```ts
 * import { COMMANDS, helpText } from '@eddy/cli';
 * process.stdout.write(helpText('train', COMMANDS.train!));
 * ```
 */
export function helpText(name: string, cmd: Command): string {
  const subs = Object.entries(cmd.subcommands ?? {});
  const subList =
    subs.length === 0
      ? ''
      : `\n\nsubcommands:\n${subs
          .map(([n, c]) => `  ${`${n} ${c.args}`.trimEnd().padEnd(Math.max(...subs.map(([m, d]) => `${m} ${d.args}`.trimEnd().length)) + 2)}${c.summary}`)
          .join('\n')}\n\nRun "eddy ${name} <subcommand> --help" for a subcommand's options.`;
  const rows: Array<[string, string]> = Object.entries(cmd.options).map(([n, o]) => {
    const unless = o.requiredUnless?.map(flag).join(' or ');
    const dflt =
      o.required === true
        ? ' (required)'
        : unless !== undefined
          ? ` (required unless ${unless} is given)`
          : o.defaultText !== undefined
            ? ` (default: ${o.defaultText})`
            : o.default !== undefined
              ? ` (default: ${o.default})`
              : '';
    return [spelled(n, o), `${o.description}${dflt}`];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([s]) => s.length)) + 2;
  return `${cmd.summary}\n\nusage: ${usage(name, cmd)}${subList}\n\noptions:\n${rows.map(([s, d]) => `  ${s.padEnd(width)}${d}`).join('\n')}\n`;
}

/** Decimal numbers only (`1e6`, `0.5`, `-3`): `Number()` alone would also take `0x10` and `0b1`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A decimal number option (`undefined` when not given and without a default: a usage
 * error naming the option).
 *
 * @example
 * ```ts
 * const lr = num(values.lr, 'lr');
 * ```
 */
export function num(v: string | boolean | undefined, name: string): number {
  if (v === undefined) throw new UsageError(`${flag(name)} is required`);
  if (typeof v !== 'string' || !DECIMAL.test(v.trim()) || !Number.isFinite(Number(v)))
    throw new UsageError(`${flag(name)} must be a decimal number, got ${JSON.stringify(v)}`);
  return Number(v);
}

/**
 * An integer option of at least `min` (written in decimal, `1e6` included).
 *
 * @example
 * ```ts
 * const n = int(values.n, 'n', 1);
 * ```
 */
export function int(v: string | boolean | undefined, name: string, min = 0): number {
  const x = num(v, name);
  if (!Number.isSafeInteger(x) || x < min) throw new UsageError(`${flag(name)} must be an integer ≥ ${min}, got ${v}`);
  return x;
}

/**
 * A string option.
 *
 * @example
 * ```ts
 * const out = str(values.out, 'out');
 * ```
 */
export function str(v: string | boolean | undefined, name: string): string {
  if (typeof v === 'string') return v;
  throw new UsageError(`${flag(name)} is required`);
}
