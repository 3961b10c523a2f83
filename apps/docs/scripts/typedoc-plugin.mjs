// The docs site's typedoc plugin (loaded by typedoc.json's "plugin"):
// - math: `$...$` and `$$...$$` in guides and doc comments are rendered to HTML by KaTeX at
//   build time (@vscode/markdown-it-katex in typedoc's markdown-it; a TeX error fails the
//   build), and KaTeX's stylesheet and fonts are copied to assets/katex/ and linked from
//   every page's <head>;
// - page addresses: the "eddy" router (typedoc.json "router") names a guide page after its
//   front-matter `slug` (documents/forward-kl.html) instead of its title
//   (documents/3._Fitting_data_(forward_KL).html); other pages as typedoc's "kind" router;
// - printed output: `{@includeOutput ../examples/x.ts#region}` in a guide becomes a text
//   block of what that region printed when `npm run examples` last ran it
//   (guides/media/x.output.json, written by run-examples.mjs; long outputs are cut to their
//   first lines and "… (N more lines)"); a missing file or a region that printed nothing is
//   an error;
// - headings keep their inline code in the page outline ("On This Page"): typedoc takes a
//   heading's outline text (and anchor) from its text tokens only, so a core rule gives each
//   code span of a heading a text child with the code;
// - assets/eddy.css (linked from every page): tables stay inside the content column (cells
//   wrap, long code included; a table still too wide scrolls inside the column).
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import markdownItKatex from '@vscode/markdown-it-katex';
import { Application, Converter, JSX, KindRouter, ReflectionKind, Renderer } from 'typedoc';
import { outputPath } from './regions.mjs';

const require = createRequire(import.meta.url);
const katexDist = join(dirname(require.resolve('katex/package.json')), 'dist');
const katexPlugin = markdownItKatex.default ?? markdownItKatex;

/** Guide pages at documents/<slug>.html, the slug from the front matter or else the title. */
class EddyRouter extends KindRouter {
  getIdealBaseName(reflection) {
    if (reflection.kind !== ReflectionKind.Document) return super.getIdealBaseName(reflection);
    const slug =
      reflection.frontmatter?.slug ??
      reflection.name
        .replace(/^\d+\.\s*/, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
    if (!/^[a-z0-9][a-z0-9-]*$/.test(String(slug))) {
      throw new Error(`typedoc-plugin: guide "${reflection.name}": slug "${slug}" is not [a-z0-9-]`);
    }
    return `documents/${slug}`;
  }
}

/** Where run-examples.mjs writes the printed lines of the guide programs. */
const media = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'guides', 'media');

/** Printed outputs longer than this many lines show their first OUTPUT_HEAD lines and a count. */
export const OUTPUT_MAX_LINES = 30;
const OUTPUT_HEAD = 24;

/** The site's own stylesheet (assets/eddy.css). */
export const EDDY_CSS = `/* Eddy docs: tables fit the content column (cells wrap, long code too; a table still
   too wide scrolls inside the column). */
.tsd-typography table { display: block; max-width: 100%; overflow-x: auto; }
.tsd-typography td, .tsd-typography th { overflow-wrap: break-word; }
.tsd-typography td code, .tsd-typography th code { white-space: normal; overflow-wrap: break-word; }
.tsd-typography td:not(:first-child) code { overflow-wrap: anywhere; }
/* A guide program's printed output ({@includeOutput}) under its code. */
.tsd-typography pre:has(> code.text) { background: var(--color-background-secondary); border-left: 3px solid var(--color-accent); }
`;

/**
 * The ```text block for `{@includeOutput file#region}`: what that region printed, cut to
 * its first lines when long. Throws when the output file or the region is missing.
 * @param {string} spec the tag's text, `../examples/x.ts#region`
 */
export function outputBlock(spec) {
  const m = spec.trim().match(/^(\S+?)\.ts#([\w-]+)$/);
  if (!m) throw new Error(`{@includeOutput ${spec}}: expected {@includeOutput ../examples/<program>.ts#<region>}`);
  const name = /** @type {string} */ (m[1]).split('/').at(-1) ?? '';
  const region = /** @type {string} */ (m[2]);
  const file = outputPath(media, name);
  if (!existsSync(file))
    throw new Error(`{@includeOutput ${spec}}: ${file} not found; run \`npm run examples\` (or node apps/docs/scripts/run-examples.mjs ${name}) first`);
  const lines = JSON.parse(readFileSync(file, 'utf8'))[region];
  if (!Array.isArray(lines) || lines.length === 0) throw new Error(`{@includeOutput ${spec}}: region "${region}" of ${name}.ts printed nothing`);
  const shown = lines.length > OUTPUT_MAX_LINES ? [...lines.slice(0, OUTPUT_HEAD), `… (${lines.length - OUTPUT_HEAD} more lines)`] : lines;
  return `\n\n\`\`\`text\n${shown
    .join('\n')
    .replace(/`(?=`)/g, '`\u200B')
    .trimEnd()}\n\`\`\``;
}

/** markdown-it: a heading's code spans also as text children, which typedoc's outline reads. */
function headingCodeInOutline(parser) {
  parser.core.ruler.push('eddy_heading_code', (state) => {
    state.tokens.forEach((token, i) => {
      if (token.type !== 'heading_open') return;
      for (const child of state.tokens[i + 1]?.children ?? []) {
        if (child.type !== 'code_inline' || child.children) continue;
        const text = new state.Token('text', '', 0);
        text.content = child.content;
        child.children = [text];
      }
    });
  });
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.defineRouter('eddy', EddyRouter);
  // After the configuration is read (a plain setValue in load() is reset by it).
  app.on(Application.EVENT_BOOTSTRAP_END, () => {
    app.options.setValue('markdownItLoader', (parser) => {
      parser.use(katexPlugin, { throwOnError: true });
      headingCodeInOutline(parser);
    });
    const inline = app.options.getValue('inlineTags');
    if (!inline.includes('@includeOutput')) app.options.setValue('inlineTags', [...inline, '@includeOutput']);
  });
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, reflection) => {
    reflection.content.forEach((part, i) => {
      if (part.kind !== 'inline-tag' || part.tag !== '@includeOutput') return;
      try {
        reflection.content[i] = { kind: 'code', text: outputBlock(part.text) };
      } catch (e) {
        app.logger.error(`${reflection.name}: ${/** @type {Error} */ (e).message}`);
      }
    });
  });
  app.renderer.hooks.on('head.end', (context) =>
    JSX.createElement(
      JSX.Fragment,
      null,
      JSX.createElement('link', { rel: 'stylesheet', href: context.relativeURL('assets/katex/katex.min.css', true) }),
      JSX.createElement('link', { rel: 'stylesheet', href: context.relativeURL('assets/eddy.css', true) }),
    ),
  );
  app.renderer.on(Renderer.EVENT_END, (/** @type {import('typedoc').RendererEvent} */ event) => {
    const dest = join(event.outputDirectory, 'assets', 'katex');
    cpSync(join(katexDist, 'katex.min.css'), join(dest, 'katex.min.css'));
    cpSync(join(katexDist, 'fonts'), join(dest, 'fonts'), { recursive: true });
    mkdirSync(join(event.outputDirectory, 'assets'), { recursive: true });
    writeFileSync(join(event.outputDirectory, 'assets', 'eddy.css'), EDDY_CSS);
  });
}
