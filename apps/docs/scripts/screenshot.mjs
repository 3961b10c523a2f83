#!/usr/bin/env node
// The docs screenshot test: serves the built site (apps/docs/dist) on localhost, opens
// pages in headless Chromium (Debian's, through playwright-core) and checks that each
// renders its title and heading with no failed request, plus per page: the index shows the
// version and an image; the forward-KL guide an image and KaTeX math; the NormalizingFlow
// guide KaTeX math with its fonts loaded; the NormalizingFlow class page "Defined in" links
// to its source file on GitHub; the browser guide embeds the demo. The two-moons demo
// (demo/two-moons.html, built by apps/docs/browser/build.mjs) must draw its samples and
// density in a Web Worker, and the mean log-density it prints for a seed and a number of
// samples must equal the one this script computes on Node.js from the same .safetensors
// bytes with the built @eddy packages (TypeScript kernels on both sides; relative
// difference at most 1e-9 in float64), before and after the samples slider is moved.
// Screenshots are saved as artifacts under $EDDY_ARTIFACTS (default
// <tmp>/eddy-docs-screenshots). Chromium: apps/docs/scripts/install-chromium.sh.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { demoChecks } from './screenshot-demo.mjs';

// The built site: apps/docs/dist, or the first argument.
const site = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
const artifacts = process.env.EDDY_ARTIFACTS ?? join(tmpdir(), 'eddy-docs-screenshots');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
mkdirSync(artifacts, { recursive: true });

const version = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'package.json'), 'utf8')).version;
const types = {
  '.html': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};
const server = createServer((req, res) => {
  const path = normalize(join(site, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
  try {
    const file = path.startsWith(site) && statSync(path).isDirectory() ? join(path, 'index.html') : path;
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

// Guide pages live at documents/<front-matter slug>.html (apps/docs/scripts/typedoc-plugin.mjs).
const sourceLink = 'a[href^="https://github.com/eddy-flows/eddy/blob/"][href*="/packages/distributions/src/"]';
const checks = [
  { name: 'index', path: 'index.html', title: `Eddy - v${version}`, image: true },
  { name: 'forward-kl', path: 'documents/forward-kl.html', title: '3. Fitting data', image: true, math: true },
  { name: 'normalizing-flow', path: 'documents/normalizing-flow.html', title: '2. NormalizingFlow', math: true },
  { name: 'class-page', path: 'classes/_eddy_distributions.NormalizingFlow.html', title: 'NormalizingFlow', sourceLink: true, math: true },
  // Wide tables stay inside the content column; headings keep their code in the outline.
  { name: 'catalogue', path: 'documents/catalogue.html', title: '9. Catalogue', tables: true, outline: 'Transforms (@eddy/transforms)' },
  { name: 'normalizing-flow-tables', path: 'documents/normalizing-flow.html', title: '2. NormalizingFlow', tables: true },
  // What a program printed, under its code.
  { name: 'quick-start', path: 'documents/quick-start.html', title: '1. Quick start', output: true },
  { name: 'bayesian-flows', path: 'documents/bayesian-flows.html', title: '5.1 Bayesian flows', image: true, output: true },
  { name: 'vae', path: 'documents/vae.html', title: '5.2 Variational autoencoder', image: true, output: true },
];
const browser = await chromium.launch({
  executablePath,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const failures = [];
try {
  for (const c of checks) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const bad = [];
    page.on('requestfailed', (r) => bad.push(`${r.url()} (${r.failure()?.errorText})`));
    page.on('response', (r) => {
      if (r.status() >= 400) bad.push(`${r.url()} (HTTP ${r.status()})`);
    });
    await page.goto(`${base}/${c.path}`, { waitUntil: 'load' });
    const title = await page.title();
    const heading = (await page.locator('h1').first().textContent())?.trim() ?? '';
    const images = await page.evaluate(() => [...document.images].filter((i) => i.complete && i.naturalWidth > 0).map((i) => i.getAttribute('src')));
    // KaTeX output (rendered at build time) and, once the page's fonts are in, KaTeX's own font.
    const math = await page.evaluate(async () => {
      await document.fonts.ready;
      return {
        elements: document.querySelectorAll('.katex').length,
        errors: document.querySelectorAll('.katex-error').length,
        font: [...document.fonts].some((f) => f.family.replace(/["']/g, '') === 'KaTeX_Main' && f.status === 'loaded'),
      };
    });
    const sources = await page.locator(`.tsd-sources ${sourceLink}`).count();
    // Tables: none wider than the content column, none scrolling sideways at this width.
    const tables = await page.evaluate(() =>
      [...document.querySelectorAll('.col-content table')].map((t) => {
        const column = t.closest('.col-content').getBoundingClientRect();
        const r = t.getBoundingClientRect();
        return { fits: r.right <= column.right + 1 && t.scrollWidth <= t.clientWidth + 1 };
      }),
    );
    const outline = await page.evaluate(() => [...document.querySelectorAll('.tsd-page-navigation a')].map((a) => a.textContent?.trim() ?? ''));
    const outputs = await page.locator('pre > code.text').count();
    const file = join(artifacts, `${c.name}.png`);
    if (c.math) await page.locator('.katex-display').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: file, fullPage: false });
    const size = statSync(file).size;
    const problems = [];
    if (!title.startsWith(c.title)) problems.push(`title does not start with "${c.title}"`);
    if (heading.length === 0) problems.push('no h1');
    if (c.image && images.length === 0) problems.push('no loaded image');
    if (c.math && (math.elements === 0 || math.errors > 0 || !math.font)) problems.push('no rendered KaTeX math (or its font did not load)');
    if (c.sourceLink && sources === 0) problems.push('no "Defined in" link to the source on GitHub');
    if (c.tables && (tables.length === 0 || tables.some((t) => !t.fits)))
      problems.push(`tables: ${tables.length} found, ${tables.filter((t) => !t.fits).length} wider than the column`);
    if (c.outline && !outline.some((o) => o.includes(c.outline))) problems.push(`the page outline has no "${c.outline}"`);
    if (c.output && outputs === 0) problems.push('no printed-output block under the code');
    if (bad.length > 0) problems.push(`failed requests: ${bad.join('; ')}`);
    if (size <= 10_000) problems.push('screenshot too small');
    const ok = problems.length === 0;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${c.path}: title "${title}", h1 "${heading}", ${images.length} image(s) loaded (${images.slice(0, 2).join(', ')}), ${math.elements} KaTeX element(s) (${math.errors} errors, font ${math.font ? 'loaded' : 'missing'}), ${sources} source link(s), ${tables.length} table(s), ${outputs} output block(s), screenshot ${file} (${size} bytes)${ok ? '' : `: ${problems.join('; ')}`}`,
    );
    if (!ok) failures.push(c.path);
    await page.close();
  }
  failures.push(...(await demoChecks(browser, base, site, artifacts)));
} finally {
  await browser.close();
  server.close();
}
if (failures.length > 0) {
  console.error(`screenshot: ${failures.length} page(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(
  `screenshot: ${checks.length} pages render their title, images, math and source links; the two-moons demo draws in a Web Worker and matches Node.js; screenshots in ${artifacts}`,
);
