// The browser demo's part of the docs screenshot test (screenshot.mjs calls demoChecks):
// the two-moons page (demo/two-moons.html) draws samples and the density on its canvas,
// computed in a Web Worker, and the mean log-density it prints equals the one computed
// here, on Node.js, from the same model bytes with the built @eddy packages, for the same
// seed and number of samples: once for the address's ?n=&seed=, once after the samples
// slider is moved. The browser guide (documents/browser.html) embeds the same page.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { kernelInfo, useNativeKernels } from '@eddy/backend-cpu';
import { Rng, noGrad } from '@eddy/core';
import { loadFlow } from '@eddy/flows';

/** Relative tolerance between the browser's and Node.js's mean log-density (float64, same kernels). */
const TOLERANCE = 1e-9;
const SEED = 7;
const FIRST_N = 1500;
const SLIDER_N = 3000;

/**
 * Node.js's mean log-density of `n` samples drawn with `new Rng(seed)` from the flow in
 * `bytes`: what the demo's worker computes, written here independently (the sum in index
 * order, in float64), on the TypeScript kernels the browser runs.
 */
function nodeMeanLogDensity(bytes, n, seed) {
  const q = loadFlow(bytes).call();
  return noGrad(() => {
    const lp = q.logProb(q.sample([n], new Rng(seed))).dataSync();
    let s = 0;
    for (let i = 0; i < lp.length; i++) s += lp[i];
    return s / lp.length;
  });
}

/** Waits until the demo shows the result for `n` samples; returns what it shows. */
async function shown(frame, n) {
  await frame.waitForSelector(`body[data-state="ready"] #mean-log-density[data-n="${n}"]`, { timeout: 120_000 });
  return frame.evaluate(() => {
    const canvas = document.getElementById('plot');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) coloured++;
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    const mean = document.getElementById('mean-log-density');
    return {
      drawn: Number(document.getElementById('drawn').dataset.value),
      mean: Number(mean.dataset.value),
      seed: Number(mean.dataset.seed),
      timing: document.getElementById('timing').textContent,
      colouredFraction: coloured / (data.length / 4),
      colours: colours.size,
    };
  });
}

/** Problems with one shown result against Node.js's value for the same `n` and seed. */
function compare(label, got, n, expected) {
  const problems = [];
  if (got.drawn !== n) problems.push(`${label}: the page reports ${got.drawn} samples drawn, expected ${n}`);
  if (got.seed !== SEED) problems.push(`${label}: seed ${got.seed}, expected ${SEED}`);
  // A drawn heat map covers most of the canvas in many colours; a blank canvas is white.
  if (got.colouredFraction < 0.5 || got.colours < 50)
    problems.push(`${label}: the canvas looks blank (${(100 * got.colouredFraction).toFixed(1)}% coloured, ${got.colours} colours)`);
  const rel = Math.abs(got.mean - expected) / Math.max(1, Math.abs(expected));
  if (!(rel <= TOLERANCE))
    problems.push(`${label}: mean log-density ${got.mean} in the browser, ${expected} on Node.js (relative difference ${rel.toExponential(2)} > ${TOLERANCE})`);
  return problems;
}

/**
 * Runs the demo checks in `browser` (a Playwright browser) against the site served at
 * `base` from the folder `site`; saves screenshots under `artifacts`. Returns the failed
 * paths (empty when all pass) after printing one line per page.
 */
export async function demoChecks(browser, base, site, artifacts) {
  useNativeKernels(false);
  if (kernelInfo().isa !== 'typescript') throw new Error(`screenshot: could not switch Node.js to the TypeScript kernels (${kernelInfo().isa})`);
  const bytes = readFileSync(join(site, 'demo', 'two-moons.safetensors'));
  const failures = [];

  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  const bad = [];
  const logs = [];
  page.on('requestfailed', (r) => bad.push(`${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400) bad.push(`${r.url()} (HTTP ${r.status()})`);
  });
  page.on('pageerror', (e) => logs.push(`page error: ${e.message}`));
  const path = `demo/two-moons.html?n=${FIRST_N}&seed=${SEED}`;
  const problems = [];
  try {
    await page.goto(`${base}/${path}`, { waitUntil: 'load' });
    const first = { ...(await shown(page, FIRST_N)), node: nodeMeanLogDensity(bytes, FIRST_N, SEED) };
    problems.push(...compare(`n=${FIRST_N}`, first, FIRST_N, first.node));
    await page.locator('#samples').fill(String(SLIDER_N));
    const second = { ...(await shown(page, SLIDER_N)), node: nodeMeanLogDensity(bytes, SLIDER_N, SEED) };
    problems.push(...compare(`slider to ${SLIDER_N}`, second, SLIDER_N, second.node));
    if (!/Web Worker/.test(second.timing ?? '') || !/typescript kernels/.test(second.timing ?? ''))
      problems.push(`the page does not report TypeScript kernels in a Web Worker: "${second.timing}"`);
    const file = join(artifacts, 'browser-demo.png');
    await page.screenshot({ path: file, fullPage: true });
    console.log(
      `${problems.length === 0 && bad.length === 0 && logs.length === 0 ? 'ok  ' : 'FAIL'} ${path}: ${first.drawn} then ${second.drawn} samples drawn, mean log-density ${first.mean} / ${second.mean} (Node.js: ${first.node} / ${second.node}), canvas ${(100 * second.colouredFraction).toFixed(0)}% coloured in ${second.colours} colours; ${second.timing}; screenshot ${file} (${statSync(file).size} bytes)`,
    );
  } catch (e) {
    problems.push(
      `${e.message.split('\n')[0]} (status: ${await page
        .locator('#status')
        .textContent()
        .catch(() => '?')})`,
    );
  }
  if (bad.length > 0) problems.push(`failed requests: ${bad.join('; ')}`);
  problems.push(...logs);
  if (problems.length > 0) {
    console.log(`FAIL ${path}: ${problems.join('; ')}`);
    failures.push(path);
  }
  await page.close();

  // The guide embeds the demo in an iframe: it must run there too.
  const guide = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
  const guidePath = 'documents/browser.html';
  try {
    await guide.goto(`${base}/${guidePath}`, { waitUntil: 'load' });
    const frame = await (await guide.waitForSelector('iframe[src$="demo/two-moons.html"]', { timeout: 10_000 })).contentFrame();
    const got = await shown(frame, 2000);
    const file = join(artifacts, 'browser-guide.png');
    await guide.locator('iframe').scrollIntoViewIfNeeded();
    await guide.screenshot({ path: file });
    const p =
      got.drawn === 2000 && got.colouredFraction >= 0.5
        ? []
        : [`the embedded demo drew ${got.drawn} samples, ${(100 * got.colouredFraction).toFixed(1)}% of its canvas coloured`];
    console.log(
      `${p.length === 0 ? 'ok  ' : 'FAIL'} ${guidePath}: the embedded demo drew ${got.drawn} samples; screenshot ${file}${p.length === 0 ? '' : `: ${p.join('; ')}`}`,
    );
    if (p.length > 0) failures.push(guidePath);
  } catch (e) {
    console.log(`FAIL ${guidePath}: ${e.message.split('\n')[0]}`);
    failures.push(guidePath);
  }
  await guide.close();
  return failures;
}
