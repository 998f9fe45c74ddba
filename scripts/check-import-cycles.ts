// Layering, checked by `npm run lint`: no runtime import cycle anywhere in Herald's code (madge, with
// `import type` skipped: a type-only import costs nothing at run time), and layers that point one way,
// types included: src/api → src/temporal, src/store → src/domain (LAYERS below); src/domain imports
// nothing outside itself.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import madge from 'madge';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

const graph = await madge(
  ['src', 'activities', 'workflows'].map((dir) => join(root, dir)),
  {
    baseDir: root,
    fileExtensions: ['ts'],
    tsConfig: join(root, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: true }, es6: { skipTypeImports: true } },
  },
);
const cycles = graph.circular();

const domain = join(root, 'src/domain');
const outside = readdirSync(domain)
  .filter((file) => file.endsWith('.ts'))
  .flatMap((file) =>
    [...readFileSync(join(domain, file), 'utf8').matchAll(/from '(\.\.\/[^']+)'/g)].map((m) => `src/domain/${file} imports ${m[1]}`),
  );

/** What each layer may import besides itself (every import, `import type` too). Activities and workflows sit beside src/temporal. */
const LAYERS: Record<string, string[]> = {
  'src/domain': [],
  'src/config': ['src/domain'],
  'src/store': ['src/domain'],
  // Metrics and traces are read by every layer above the store and read nothing of theirs.
  'src/metrics': ['src/domain', 'src/config'],
  'src/tracing': ['src/domain', 'src/config', 'src/temporal/workflow-paths.ts'],
  'src/temporal': ['src/store', 'src/domain', 'src/config', 'src/metrics', 'src/tracing', 'src/logger.ts', 'activities', 'workflows'],
  activities: ['src/temporal', 'src/store', 'src/domain', 'src/config', 'src/metrics', 'src/tracing', 'workflows'],
  workflows: ['src/temporal', 'src/store', 'src/domain', 'activities'],
  'src/api': [
    'src/temporal',
    'src/store',
    'src/domain',
    'src/config',
    'src/metrics',
    'src/tracing',
    'src/logger.ts',
    'activities',
    'workflows',
  ],
};
const layerOf = (path: string) => Object.keys(LAYERS).find((layer) => path === layer || path.startsWith(`${layer}/`));

function filesIn(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesIn(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const wrongWay: string[] = [];
for (const layer of Object.keys(LAYERS)) {
  for (const file of filesIn(layer)) {
    for (const [, spec] of readFileSync(join(root, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(root, resolve(root, dirname(file), spec as string)).replace(/\.js$/, '.ts');
      const to = layerOf(target) ?? target;
      if (to !== layer && !LAYERS[layer]?.some((allowed) => target === allowed || to === allowed || to.startsWith(`${allowed}/`))) {
        wrongWay.push(`${file} imports ${target}`);
      }
    }
  }
}

for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' → ')}`);
for (const line of outside) console.error(`src/domain must import nothing outside it: ${line}`);
for (const line of wrongWay) console.error(`layers point one way (scripts/check-import-cycles.ts LAYERS): ${line}`);
if (cycles.length > 0 || outside.length > 0 || wrongWay.length > 0) process.exit(1);
process.stdout.write(
  `import layering: ${Object.keys(graph.obj()).length} files, no runtime cycle, src/domain self-contained, layers point one way\n`,
);
