#!/usr/bin/env node
// Checks the built site (apps/docs/dist), run last by `npm run docs`:
// - no broken internal link: every relative href/src of every HTML page names a file of
//   the site (fragments and queries are ignored; http(s), mailto and data links are not
//   followed);
// - the page outline ("On This Page") keeps a heading's inline code: the outline entry of
//   every heading with a code span contains that code's text;
// - tables fit the content column: every page with a table links assets/eddy.css, which
//   lets table cells wrap (code included) and a table scroll inside the column;
// - the guides' code can be copied as shown, with its printed output (check-snippets.mjs).
// Exits 1 listing the problems.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSnippets } from './check-snippets.mjs';

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

/** The text of an HTML fragment: tags dropped, the common entities decoded, spaces collapsed. */
const textOf = (html) =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

const css = join(site, 'assets', 'eddy.css');
const tableRules = existsSync(css) ? readFileSync(css, 'utf8') : '';
const broken = [];
const layout = [];
let pages = 0;
let links = 0;
let codeHeadings = 0;
let tables = 0;
if (!/\.tsd-typography table\s*\{[^}]*overflow-x:\s*auto/.test(tableRules) || !/\.tsd-typography td code[^{]*\{[^}]*white-space:\s*normal/.test(tableRules)) {
  layout.push('assets/eddy.css: missing the table rules (tables scroll inside the column, code in cells wraps)');
}
for (const page of htmlFiles(site)) {
  pages++;
  const html = readFileSync(page, 'utf8');
  const name = relative(site, page);
  // Headings with inline code, in the page's content, against the outline's entries.
  for (const m of html.matchAll(/<h([1-6])[^>]*\sid="([^"]+)"[^>]*>([\s\S]*?)<\/h\1>/g)) {
    const inner = m[3] ?? '';
    const codes = [...inner.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((c) => textOf(c[1] ?? ''));
    if (codes.length === 0) continue;
    codeHeadings++;
    const entry = html.match(new RegExp(`<a href="#${(m[2] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}">([\\s\\S]*?)</a>`));
    const text = entry ? textOf(entry[1] ?? '') : undefined;
    if (text === undefined) layout.push(`${name}: heading "${textOf(inner)}" has no outline entry`);
    else if (codes.some((c) => !text.includes(c))) layout.push(`${name}: the outline shows "${text}" for the heading "${textOf(inner)}" (its code dropped)`);
  }
  if (/<table[\s>]/.test(html)) {
    tables++;
    if (!/<link[^>]+href="[^"]*assets\/eddy\.css"/.test(html)) layout.push(`${name}: has a table but does not link assets/eddy.css`);
  }
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
const snippets = checkSnippets();
if (broken.length > 0) console.error(`check-links: ${broken.length} broken link(s) in ${pages} pages:\n  ${broken.slice(0, 50).join('\n  ')}`);
if (layout.length > 0) console.error(`check-links: ${layout.length} outline/table problem(s):\n  ${layout.slice(0, 50).join('\n  ')}`);
if (snippets.problems.length > 0) console.error(`check-links: ${snippets.problems.length} guide snippet problem(s):\n  ${snippets.problems.join('\n  ')}`);
if (broken.length + layout.length + snippets.problems.length > 0) process.exit(1);
console.log(
  `check-links: ${pages} pages, ${links} internal links, none broken; ${codeHeadings} headings with code, all in the outline; ${tables} pages with tables, all styled to fit`,
);
console.log(`check-links: the shown code of ${snippets.guides} guides type-checks as one program each, imports first, output shown`);
