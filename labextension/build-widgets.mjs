// Bundle each anywidget view (src/widgets/<name>.ts) into one self-contained ES module
// inside the Python package. Everything is bundled: nothing is ever loaded from a CDN.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const entries = readdirSync('src/widgets')
  .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
  .map(f => join('src/widgets', f));

await build({
  entryPoints: entries,
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  outdir: '../jupyter_dci/widgets/static',
  loader: { '.css': 'text' },
  logLevel: 'info'
});
