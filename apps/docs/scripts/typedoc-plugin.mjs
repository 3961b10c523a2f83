// The docs site's typedoc plugin (loaded by typedoc.json's "plugin"):
// - math: `$...$` and `$$...$$` in guides and doc comments are rendered to HTML by KaTeX at
//   build time (@vscode/markdown-it-katex in typedoc's markdown-it; a TeX error fails the
//   build), and KaTeX's stylesheet and fonts are copied to assets/katex/ and linked from
//   every page's <head>;
// - page addresses: the "eddy" router (typedoc.json "router") names a guide page after its
//   front-matter `slug` (documents/forward-kl.html) instead of its title
//   (documents/3._Fitting_data_(forward_KL).html); other pages as typedoc's "kind" router.
import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import markdownItKatex from '@vscode/markdown-it-katex';
import { Application, JSX, KindRouter, ReflectionKind, Renderer } from 'typedoc';

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

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.defineRouter('eddy', EddyRouter);
  // After the configuration is read (a plain setValue in load() is reset by it).
  app.on(Application.EVENT_BOOTSTRAP_END, () => {
    app.options.setValue('markdownItLoader', (parser) => {
      parser.use(katexPlugin, { throwOnError: true });
    });
  });
  app.renderer.hooks.on('head.end', (context) =>
    JSX.createElement('link', { rel: 'stylesheet', href: context.relativeURL('assets/katex/katex.min.css', true) }),
  );
  app.renderer.on(Renderer.EVENT_END, (/** @type {import('typedoc').RendererEvent} */ event) => {
    const dest = join(event.outputDirectory, 'assets', 'katex');
    cpSync(join(katexDist, 'katex.min.css'), join(dest, 'katex.min.css'));
    cpSync(join(katexDist, 'fonts'), join(dest, 'fonts'), { recursive: true });
  });
}
