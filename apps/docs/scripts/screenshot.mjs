#!/usr/bin/env node
// The docs screenshot test: serves the built site (apps/docs/dist) on localhost, opens the
// index and the forward-KL guide in headless Chromium (Debian's, through playwright-core),
// and checks that each page renders its title and at least one loaded image, with no
// failed request. Screenshots are saved as artifacts under $EDDY_ARTIFACTS (default
// <tmp>/eddy-docs-screenshots). Chromium: apps/docs/scripts/install-chromium.sh.
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const site = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const artifacts = process.env.EDDY_ARTIFACTS ?? join(tmpdir(), 'eddy-docs-screenshots');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
mkdirSync(artifacts, { recursive: true });

const types = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };
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

/** The guide page whose <title> starts with `prefix`. */
function documentPage(prefix) {
  for (const f of readdirSync(join(site, 'documents'))) {
    const title = /<title>([^<]*)<\/title>/.exec(readFileSync(join(site, 'documents', f), 'utf8'))?.[1] ?? '';
    if (title.startsWith(prefix)) return `documents/${f}`;
  }
  throw new Error(`screenshot: no guide page titled "${prefix}…" in ${site}/documents`);
}

const checks = [
  { name: 'index', path: 'index.html', title: 'Eddy' },
  { name: 'forward-kl', path: documentPage('3. Fitting data'), title: '3. Fitting data' },
];
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
    const file = join(artifacts, `${c.name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    const size = statSync(file).size;
    const ok = title.startsWith(c.title) && heading.length > 0 && images.length > 0 && bad.length === 0 && size > 10_000;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.path}: title "${title}", h1 "${heading}", ${images.length} image(s) loaded (${images.slice(0, 2).join(', ')}), screenshot ${file} (${size} bytes)${bad.length ? `, failed requests: ${bad.join('; ')}` : ''}`);
    if (!ok) failures.push(c.path);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
if (failures.length > 0) {
  console.error(`screenshot: ${failures.length} page(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(`screenshot: ${checks.length} pages render a title and an image; screenshots in ${artifacts}`);
