// Preloaded into every guide program by run-examples.mjs (`node --import`): records each
// console.log line of the main thread with the program's source line that printed it (the
// first stack frame in apps/docs/examples/<program>.ts; run-ts.mjs bundles with inline
// source maps and runs Node with --enable-source-maps, so frames name .ts lines), and at
// exit writes them to $EDDY_DOCS_OUTPUT/<program>.json as [{ line, text }, ...].
// run-examples.mjs turns that into the printed lines per `#region`, which the guides show
// under their code with {@includeOutput ../examples/<program>.ts#region}.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { format } from 'node:util';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.EDDY_DOCS_OUTPUT;
if (dir && isMainThread) {
  const program = basename(process.argv[1] ?? '', '.mjs');
  const site = new RegExp(`[\\\\/]examples[\\\\/]${program.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.ts:(\\d+):\\d+`);
  /** @type {{ line: number | null, text: string }[]} */
  const records = [];
  const log = console.log.bind(console);
  console.log = (...args) => {
    log(...args);
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    const m = stack.match(site);
    records.push({ line: m ? Number(m[1]) : null, text: format(...args) });
  };
  process.on('exit', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${program}.json`), JSON.stringify(records));
  });
}
