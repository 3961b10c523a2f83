#!/usr/bin/env node
// Checks the built site (apps/docs/dist) for broken internal links: every relative
// href/src of every HTML page must name a file of the site (fragments and queries are
// ignored; http(s), mailto and data links are not followed). Exits 1 listing the breaks.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const site = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
if (!existsSync(join(site, 'index.html'))) {
  console.error(`check-links: ${site}/index.html not found; run \`npm run docs\` first`);
  process.exit(1);
}

function* htmlFiles(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* htmlFiles(path);
    else if (entry.endsWith('.html')) yield path;
  }
}

const broken = [];
let pages = 0;
let links = 0;
for (const page of htmlFiles(site)) {
  pages++;
  const html = readFileSync(page, 'utf8');
  for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const raw = (m[1] ?? '').replace(/&amp;/g, '&');
    if (raw === '' || raw.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('//')) continue;
    links++;
    const path = decodeURIComponent(raw.split('#')[0]?.split('?')[0] ?? '');
    if (path === '') continue;
    const target = resolve(dirname(page), path);
    if (!target.startsWith(site) || !existsSync(target)) broken.push(`${relative(site, page)} → ${raw}`);
  }
}
if (broken.length > 0) {
  console.error(`check-links: ${broken.length} broken link(s) in ${pages} pages:\n  ${broken.slice(0, 50).join('\n  ')}`);
  process.exit(1);
}
console.log(`check-links: ${pages} pages, ${links} internal links, none broken`);
