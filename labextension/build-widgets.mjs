// Bundle each anywidget view into one self-contained ES module inside the Python package:
// src/widgets/<view>/index.ts becomes jupyter_dci/widgets/static/<view>.js. Folders whose
// name starts with "_" hold what the views share. Everything is bundled (CSS as text, see
// src/widgets/_shared/style.ts): nothing is ever loaded from a CDN.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = 'src/widgets';
const entryPoints = Object.fromEntries(
  readdirSync(root, { withFileTypes: true })
    .filter(d => d.isDirectory() && !d.name.startsWith('_'))
    .map(d => [d.name, join(root, d.name, 'index.ts')])
);
for (const [name, path] of Object.entries(entryPoints)) {
  if (!existsSync(path)) {
    throw new Error(`The view folder ${join(root, name)} has no index.ts (the entry of ${name}.js).`);
  }
}

await build({
  entryPoints,
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  outdir: '../jupyter_dci/widgets/static',
  loader: { '.css': 'text' },
  logLevel: 'info'
});
