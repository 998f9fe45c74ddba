// Layering, checked by `npm run lint`: no runtime import cycle anywhere in Herald's code (madge, with
// `import type` skipped: a type-only import costs nothing at run time), and src/domain/ pure of the other
// layers: it imports nothing outside itself, types included.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' → ')}`);
for (const line of outside) console.error(`src/domain must import nothing outside it: ${line}`);
if (cycles.length > 0 || outside.length > 0) process.exit(1);
process.stdout.write(`import layering: ${Object.keys(graph.obj()).length} files, no runtime cycle, src/domain self-contained\n`);
