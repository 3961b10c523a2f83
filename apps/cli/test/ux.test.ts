// The first hour with the `eddy` command: its version, help that lists every option with
// its default, one spelling of each option in messages, closing summaries, progress
// bars that leave a terminal clean, plain words for a file that is not a model, flow
// names in any case, and CSV data in and out (delimiters, headers, non-finite values).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { COMMANDS, ProgressBar, flag, helpText, main } from '@eddy/cli';
import { MAF, saveFlowToFile } from '@eddy/flows';
import { readCsv, readNpy, writeNpy } from '@eddy/montecarlo';
import { runCli as run } from './run-cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '..');
const BIN = join(CLI, 'bin/eddy.mjs');
const VERSION = (JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'eddy-cli-ux-'));
const model = join(dir, 'm.safetensors');
/** 60 rows of two features, as CSV text with the given delimiter and a header. */
const points = (delimiter = ','): string =>
  `x${delimiter}y\n${Array.from({ length: 60 }, (_, i) => `${Math.sin(i).toFixed(6)}${delimiter}${Math.cos(1.7 * i).toFixed(6)}`).join('\n')}\n`;
beforeAll(() => saveFlowToFile(new MAF({ features: 2, hiddenFeatures: [8], transforms: 1, seed: 1 }), model));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Terminal control sequences made visible: carriage return, erase to end of line, any other escape. */
const visible = (s: string): string => s.replaceAll('\r', '<CR>').replaceAll('\x1b[K', '<EL>').replaceAll('\x1b', '<ESC>');

/** A CLI run whose stderr is a (fake) terminal of `columns` characters. */
async function runTty(argv: string[], columns?: number): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), tty: true, ...(columns === undefined ? {} : { columns }) });
  return { code, out, err };
}

describe('eddy --version', () => {
  it('prints the version in package.json, as --version, -V and version', async () => {
    for (const spelling of ['--version', '-V', 'version']) {
      const r = await run(spelling);
      expect(r).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
    }
    expect((await run('--help')).out).toMatch(new RegExp(`^eddy ${VERSION.replaceAll('.', '\\.')} `));
  });

  it('works from the built command, in the repository and laid out as an installed package (bin/ and dist/ beside package.json)', () => {
    expect(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' })).toBe(`${VERSION}\n`);
    // What npm installs: package.json, bin/, dist/ (and README) in node_modules/@eddy/cli.
    const installed = join(dir, 'project', 'node_modules', '@eddy', 'cli');
    mkdirSync(installed, { recursive: true });
    for (const f of ['package.json', 'bin', 'dist']) cpSync(join(CLI, f), join(installed, f), { recursive: true });
    // Its dependencies, found the way Node looks for them: in node_modules folders above.
    for (const dep of readdirSync(join(CLI, '../../node_modules/@eddy'))) {
      if (dep !== 'cli') symlinkSync(resolve(CLI, '../../node_modules/@eddy', dep), join(dir, 'project', 'node_modules', '@eddy', dep));
    }
    symlinkSync(resolve(CLI, '../../node_modules'), join(dir, 'node_modules'));
    expect(execFileSync(process.execPath, [join(installed, 'bin/eddy.mjs'), '-V'], { encoding: 'utf8' })).toBe(`${VERSION}\n`);
  });
});

describe('eddy <command> --help', () => {
  it('lists every option with a one-line description and its default (or that it is required)', async () => {
    // Subcommands (eddy cluster submit) too: their help is made the same way.
    const all = Object.entries(COMMANDS).flatMap(([name, cmd]) => [
      [name, cmd] as const,
      ...Object.entries(cmd.subcommands ?? {}).map(([sub, c]) => [`${name} ${sub}`, c] as const),
    ]);
    for (const [name, cmd] of all) {
      const r = await run(...name.split(' '), '--help');
      expect(r.code).toBe(0);
      expect(r.out).toBe(helpText(name, cmd));
      for (const [opt, spec] of Object.entries(cmd.options)) {
        const line = r.out.split('\n').find((l) => l.trimStart().startsWith(`${flag(opt)} `));
        expect(line, `${name} --help lists ${flag(opt)}`).toBeDefined();
        expect(spec.description.length).toBeGreaterThan(0);
        expect(spec.description).not.toMatch(/\n/);
        expect(line).toContain(spec.description);
        if (spec.required === true) expect(line).toMatch(/\(required\)$/);
        else if (spec.requiredUnless !== undefined) expect(line).toMatch(/\(required unless .+ is given\)$/);
        else if (spec.defaultText !== undefined) expect(line).toContain(`(default: ${spec.defaultText})`);
        else if (spec.default !== undefined) expect(line).toContain(`(default: ${spec.default})`);
      }
    }
    const help = (await run('sample', '--help')).out;
    expect(help).toMatch(/^usage: eddy sample <model\.safetensors> -n N --out FILE \[options\]$/m);
    expect(help).toMatch(/^ {2}-n N +how many samples to draw .*\(required unless --rows is given\)$/m);
    expect(help).toMatch(/^ {2}--seed N +.*\(default: 0\)$/m);
    expect(help).toMatch(/^ {2}--chunk-size N +.*\(default: 16384\)$/m);
    expect((await run('train', '--help')).out).toMatch(/^ {2}--epochs N +.*\(default: 20\)$/m);
  });

  it('the defaults it shows are the ones used: -n of bench, --validation of train', async () => {
    // One row with the default --validation 0.1: one row held out, as the message says.
    const ten = join(dir, 'ten.csv');
    writeFileSync(ten, '0.1,0.2\n');
    const r = await run('train', '--data', ten, '--out', join(dir, 'ten.safetensors'));
    expect(r.err).toMatch(/1 row\(s\), 1 held out for --validation 0\.1,/);
    expect(COMMANDS.train?.options.validation?.default).toBe('0.1');
  });

  it('does not list --context (not supported), which is an unknown option', async () => {
    expect((await run('train', '--help')).out).not.toMatch(/--context/);
    const r = await run('train', '--context', '3', '--data', 'x.csv', '--out', 'm.safetensors');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^eddy train: Unknown option '--context'/);
  });

  it('spells every option in messages as it is typed: -n, never --n', async () => {
    const noN = await run('sample', model, '--out', join(dir, 'x.npy'));
    expect(noN).toMatchObject({ code: 2, err: 'eddy sample: -n (or --rows) is required (see eddy sample --help)\n' });
    const zero = await run('sample', model, '-n', '0', '--out', join(dir, 'x.npy'));
    expect(zero.err).toBe('eddy sample: -n must be an integer ≥ 1, got 0\n');
    const longForm = await run('sample', model, '--n=0', '--out', join(dir, 'x.npy'));
    expect(longForm.err).toBe('eddy sample: -n must be an integer ≥ 1, got 0\n');
    const bench = await run('bench', '-n', 'many');
    expect(bench.err).toBe('eddy bench: -n must be a decimal number, got "many"\n');
    expect((await run('train')).err).toBe('eddy train: --data and --out are required (see eddy train --help)\n');
    // Every option named in the sources' messages is an option of some command, written
    // with the dashes it is typed with.
    const commands = Object.values(COMMANDS).flatMap((c) => [c, ...Object.values(c.subcommands ?? {})]);
    const options = ['help', 'version', ...commands.flatMap((c) => Object.keys(c.options))];
    for (const file of readdirSync(join(CLI, 'src'))) {
      const text = readFileSync(join(CLI, 'src', file), 'utf8');
      expect(text, `${file} spells -n as --n`).not.toMatch(/--n\b/);
      for (const m of text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)) expect(options, `${file}: --${m[1]}`).toContain(m[1]);
    }
  });
});

describe('closing summaries and progress', () => {
  it('logprob ends with a summary like sample: rows, time, rate, threads, output path', async () => {
    const x = join(dir, 'x.npy');
    writeNpy(x, { data: new Float32Array(2000).map((_, i) => Math.sin(i)), shape: [1000, 2] });
    const lp = join(dir, 'lp.npy');
    const r = await run('logprob', model, '--in', x, '--out', lp, '--threads', '1');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(new RegExp(`1\\.00k rows in \\d+(\\.\\d)?s \\([\\d.]+[kMG]?/s\\) on 1 thread, written to ${lp.replaceAll('.', '\\.')}\\n$`));
    expect(r.out).toBe(`${lp}\n`);
    // The in-memory path (CSV in, CSV out) too.
    const csvIn = join(dir, 'pts.csv');
    writeFileSync(csvIn, points());
    const csvOut = join(dir, 'lp.csv');
    const c = await run('logprob', model, '--in', csvIn, '--out', csvOut, '--threads', '2');
    expect(c.code).toBe(0);
    expect(c.err).toMatch(/^logprob \[#+\] 100\.0%/m);
    expect(c.err).toMatch(/60 rows in \d+(\.\d)?s \(.+\/s\) on 2 threads, written to .*lp\.csv\n$/);
    const s = await run('sample', model, '-n', '500', '--out', join(dir, 's.npy'), '--threads', '1');
    expect(s.err).toMatch(/500 samples in \d+(\.\d)?s \(.+\/s\) on 1 thread, written to .*s\.npy\n$/);
  });

  it('ProgressBar on a terminal: redraws with \\r and clear-to-end-of-line, and ends or clears its line', () => {
    let out = '';
    const bar = new ProgressBar('job', 100, 'rows', (s) => (out += s), true);
    bar.update(50, 10);
    expect(visible(out)).toMatch(/^<CR>job \[#{15}\.{15}\] 50\.0% .*<EL>$/);
    bar.update(100, 10); // the last state is always drawn
    const draws = out.split('\r').filter(Boolean);
    expect(draws).toHaveLength(2);
    for (const d of draws) expect(d.endsWith('\x1b[K')).toBe(true);
    expect(draws[1]).toMatch(/100\.0%/);
    bar.finish();
    expect(out.endsWith('\x1b[K\n')).toBe(true);
    bar.finish(); // nothing drawn since: nothing to end
    expect(out.endsWith('\x1b[K\n')).toBe(true);
    // clear() removes the line instead (for a failure or a line that replaces it).
    let t = '';
    const b2 = new ProgressBar('job', 100, 'rows', (s) => (t += s), true, 20);
    b2.update(10, 1);
    expect(t.slice(1, t.indexOf('\x1b'))).toHaveLength(19); // cut to the terminal's width
    b2.clear();
    expect(t.endsWith('\r\x1b[K')).toBe(true);
    b2.clear();
    expect(visible(t).match(/<CR><EL>/g)).toHaveLength(1);
  });

  it('ProgressBar in a log: plain lines, no control characters, one line for the finished job', () => {
    let out = '';
    const bar = new ProgressBar('job', 100, 'rows', (s) => (out += s), false);
    bar.update(10, 5); // within the first two seconds: not printed
    bar.update(100, 5);
    bar.update(100, 5);
    bar.finish();
    bar.clear();
    expect(out).toMatch(/^job \[#{30}\] 100\.0% {2}100\/100 rows {2}5\/s {2}ETA 0\.0s\n$/);
  });

  it('eddy sample and logprob on a terminal leave it clean: the summary starts on its own line', async () => {
    const s = await runTty(['sample', model, '-n', '3000', '--out', join(dir, 't.npy'), '--threads', '1', '--chunk-size', '500'], 200);
    expect(s.code).toBe(0);
    expect(visible(s.err)).toMatch(/<CR>sample \[#+\] 100\.0%[^<\n]*<EL>\n3\.00k samples in /);
    expect(s.err.split('\n').filter(Boolean).at(-1)).toMatch(/^3\.00k samples in .*, written to .*t\.npy$/);
    const l = await runTty(['logprob', model, '--in', join(dir, 't.npy'), '--out', join(dir, 'tlp.npy'), '--threads', '1', '--chunk-size', '500']);
    expect(visible(l.err)).toMatch(/<CR>logprob \[#+\] 100\.0%[^<\n]*<EL>\n3\.00k rows in /);
    // A failed job clears its bar: the error is not glued to it.
    const big = join(dir, 'nan.npy');
    writeNpy(big, { data: new Float32Array(4000).fill(Number.NaN), shape: [2000, 2] });
    const f = await runTty(['logprob', model, '--in', big, '--out', join(dir, 'nanlp.npy'), '--threads', '1', '--chunk-size', '500']);
    expect(f.code).toBe(1);
    expect(f.err).toMatch(/^eddy logprob: /m);
    expect(visible(f.err)).not.toMatch(/<EL>eddy/);
    // Not a terminal: no control characters at all.
    const plain = await run('sample', model, '-n', '3000', '--out', join(dir, 't.npy'), '--threads', '1', '--chunk-size', '500');
    expect(visible(plain.err)).not.toMatch(/<(CR|EL|ESC)>/);
  });

  it('train on a terminal: each epoch line replaces the bar', async () => {
    const data = join(dir, 'train.csv');
    writeFileSync(data, points());
    const t = await runTty([
      'train',
      '--data',
      data,
      '--out',
      join(dir, 'tt.safetensors'),
      '--flow',
      'MAF',
      '--epochs',
      '2',
      '--hidden',
      '4',
      '--transforms',
      '1',
      '--batch-size',
      '8',
    ]);
    expect(t.code).toBe(0);
    // Every epoch line comes right after a cleared bar, at the start of a line.
    expect(visible(t.err)).toMatch(/<CR><EL>epoch 1\/2: train log-lik/);
    expect(visible(t.err)).toMatch(/<CR><EL>epoch 2\/2: train log-lik/);
    expect(t.err).toMatch(/trained in \d+(\.\d)?s, written to .*tt\.safetensors\n$/);
  });
});

describe('a file that is not a model', () => {
  it('eddy info says so in words, naming the file, never with a header-length number', async () => {
    const cases: Array<[string, string | Uint8Array, RegExp]> = [
      ['text.safetensors', 'hello world, this is not a model\n', /\(it is text, starting "hello world, this is not"\)/],
      ['data.csv', 'x,y\n1,2\n', /\(it is text, starting "x,y"\)/],
      ['empty.safetensors', '', /\(the file is empty\)/],
      ['tiny.safetensors', new Uint8Array([0, 1, 2]), /\(it is only 3 bytes long\)/],
      [
        'bytes.safetensors',
        new Uint8Array(64).map((_, i) => (i * 37 + 200) & 0xff),
        /\(it does not start with the 8-byte header length and the JSON header of the format\)/,
      ],
    ];
    const npy = join(dir, 'points.npy');
    writeNpy(npy, { data: new Float32Array([1, 2]), shape: [1, 2] });
    for (const [name, content, why] of cases) {
      const p = join(dir, name);
      writeFileSync(p, content);
      const r = await run('info', p);
      expect(r.code).toBe(2);
      expect(r.err.startsWith(`eddy info: not a safetensors file: ${p} (`)).toBe(true);
      expect(r.err).toMatch(why);
      expect(r.err).not.toMatch(/header length \d|\d{6,}/);
    }
    const n = await run('info', npy);
    expect(n.err).toBe(`eddy info: not a safetensors file: ${npy} (it is a NumPy .npy file)\n`);
    const d = await run('info', dir);
    expect(d.err).toBe(`eddy info: not a safetensors file: ${dir} (it is not a regular file)\n`);
    // Past the first bytes, the loader's own check of the format: the same words, its reason.
    const broken = join(dir, 'broken.safetensors');
    const header = new TextEncoder().encode('{"a": nope}');
    const bytes = new Uint8Array(8 + header.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    writeFileSync(broken, bytes);
    const b = await run('info', broken);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(new RegExp(`^eddy info: not a safetensors file: ${broken.replaceAll('.', '\\.')} \\(header: `));
  });

  it('sample and logprob say the same of their model argument', async () => {
    const p = join(dir, 'points.csv');
    writeFileSync(p, points());
    const s = await run('sample', p, '-n', '10', '--out', join(dir, 'never.npy'));
    expect(s).toMatchObject({ code: 2, err: `eddy sample: not a safetensors file: ${p} (it is text, starting "x,y")\n` });
    const l = await run('logprob', p, '--in', p, '--out', join(dir, 'never.npy'));
    expect(l).toMatchObject({ code: 2, err: `eddy logprob: not a safetensors file: ${p} (it is text, starting "x,y")\n` });
    expect(readdirSync(dir)).not.toContain('never.npy');
  });
});

describe('flow names', () => {
  it('--flow takes any case: nsf, maf, RealNVP, realnvp', async () => {
    const data = join(dir, 'flows.csv');
    writeFileSync(data, points());
    for (const [spelled, cls] of [
      ['nsf', 'NSF'],
      ['maf', 'MAF'],
      ['RealNVP', 'RealNVP'],
      ['realnvp', 'RealNVP'],
    ]) {
      const out = join(dir, `${spelled}.safetensors`);
      const t = await run('train', '--data', data, '--out', out, '--flow', spelled as string, '--epochs', '1', '--hidden', '4', '--transforms', '1');
      expect(t.code, t.err).toBe(0);
      // Standardised by default: the saved model is Standardized around the flow asked for.
      expect(t.err).toMatch(new RegExp(`^training ${cls} on standardised features \\(`));
      const info = (await run('info', out)).out;
      expect(info).toMatch(/class: +Standardized\n/);
      expect(info).toMatch(new RegExp(`\\(flow\\): ${cls}\\(`));
    }
  }, 120_000);

  it('an unknown name is refused with the valid names', async () => {
    const r = await run('train', '--data', join(dir, 'flows.csv'), '--out', join(dir, 'x.safetensors'), '--flow', 'nfs');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^eddy train: --flow must be one of .*\bMAF\b.*\bNSF\b.*\bRealNVP\b.* \(in any case\), got "nfs"\n$/);
  });
});

describe('CSV data in and out', () => {
  it('train refuses NaN/inf data with its line (CSV) or row (.npy)', async () => {
    const csv = join(dir, 'nan-train.csv');
    writeFileSync(csv, points().replace(/\n([^\n]*)\n/, '\n$1\n0.5,nan\n'));
    const r = await run('train', '--data', csv, '--out', join(dir, 'never.safetensors'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nan-train\.csv:3: column 2 is "nan", not a finite number; training data must be finite/);
    const npy = join(dir, 'inf-train.npy');
    const values = new Float32Array(40).map((_, i) => Math.sin(i));
    values[13] = Number.POSITIVE_INFINITY;
    writeNpy(npy, { data: values, shape: [20, 2] });
    const n = await run('train', '--data', npy, '--out', join(dir, 'never.safetensors'));
    expect(n.code).toBe(1);
    expect(n.err).toMatch(/inf-train\.npy: row 6 \(counted from 0\), column 2 is Infinity, not a finite number; training data must be finite/);
    expect(readdirSync(dir)).not.toContain('never.safetensors');
  });

  it('--delimiter: tab (as tab or \\t) and ; for train and logprob, a usage error for one that cannot be', async () => {
    const tsv = join(dir, 'pts.tsv.csv');
    writeFileSync(tsv, points('\t'));
    const semi = join(dir, 'pts.semi.csv');
    writeFileSync(semi, points(';'));
    const t = await run('train', '--data', tsv, '--delimiter', 'tab', '--out', join(dir, 'tab.safetensors'), '--flow', 'maf', '--epochs', '1', '--hidden', '4');
    expect(t.code, t.err).toBe(0);
    const a = await run('logprob', model, '--in', tsv, '--delimiter', '\\t', '--out', join(dir, 'tab.csv'), '--threads', '1');
    const b = await run('logprob', model, '--in', semi, '--delimiter', ';', '--out', join(dir, 'semi.csv'), '--threads', '1');
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(readFileSync(join(dir, 'tab.csv'), 'utf8')).toBe(readFileSync(join(dir, 'semi.csv'), 'utf8'));
    const bad = await run('logprob', model, '--in', semi, '--delimiter', '.', '--out', join(dir, 'x.csv'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^eddy logprob: --delimiter must be one character/);
    // The wrong delimiter: the whole line is one field, which is not a number.
    const wrong = await run('logprob', model, '--in', semi, '--out', join(dir, 'x.csv'));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(
      /pts\.semi\.csv:2: column 1 is not a number: "0\.000000;1\.000000"; is the delimiter ";"\? \(the delimiter option; eddy --delimiter\)/,
    );
  });

  it('CSV outputs have a header, float32 with its shortest digits, and read back', async () => {
    const out = join(dir, 'samples.csv');
    const s = await run('sample', model, '-n', '200', '--out', out, '--threads', '1', '--seed', '4');
    expect(s.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('x0,x1');
    const npy = join(dir, 'samples.npy');
    await run('sample', model, '-n', '200', '--out', npy, '--threads', '1', '--seed', '4');
    const exact = readNpy(npy).data as Float32Array;
    const back = await readCsv(out);
    expect(back.header).toEqual(['x0', 'x1']);
    expect(Array.from(back.data, Math.fround)).toEqual(Array.from(exact));
    // Shortest float32 digits: at most 9 significant, never float64's 17.
    for (const field of text.split('\n').slice(1, 50).join(',').split(','))
      expect(field.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);
    const lp = join(dir, 'lp-out.csv');
    const l = await run('logprob', model, '--in', out, '--out', lp, '--threads', '1');
    expect(l.code).toBe(0);
    expect(readFileSync(lp, 'utf8').split('\n')[0]).toBe('log_prob');
  });
});
