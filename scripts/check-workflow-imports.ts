// Workflow code must be deterministic: it may import only @temporalio/workflow, @temporalio/common
// (pure), other workflow files and pure domain modules; anything else only with `import type`.
// Biome checks each workflow file; this follows the imports transitively, so a pure-looking domain
// module that pulls in node:crypto is caught too. Run by `npm run lint`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const ALLOWED_PACKAGES = new Set([
  '@temporalio/workflow',
  '@temporalio/common',
  // Tracing's workflow interceptors (workflows/interceptors.ts), made for the workflow sandbox; nothing else of the package.
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js',
]);
const ALLOWED_DIRS = ['workflows/', 'bench/workflows/', 'src/domain/', 'src/temporal/search-attributes.ts', 'src/temporal/workflow-ids.ts'];
// Herald's workflows, and the benchmark's baseline workflows (bundled the same way).
const WORKFLOW_DIRS = ['workflows', 'bench/workflows'];

function valueImports(file: string): Array<{ specifier: string; line: number }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Array<{ specifier: string; line: number }> = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(statement)) {
      specifier = statement.moduleSpecifier;
      const clause = statement.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      specifier = statement.moduleSpecifier;
      typeOnly = statement.isTypeOnly;
    }
    if (specifier && ts.isStringLiteral(specifier) && !typeOnly) {
      found.push({ specifier: specifier.text, line: source.getLineAndCharacterOfPosition(statement.getStart()).line + 1 });
    }
  }
  return found;
}

function resolveRelative(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  }
  return base;
}

const problems: string[] = [];
const seen = new Set<string>();
const queue = WORKFLOW_DIRS.flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, dir, f)),
);

while (queue.length > 0) {
  const file = queue.pop() as string;
  if (seen.has(file)) continue;
  seen.add(file);
  const rel = relative(root, file);
  for (const { specifier, line } of valueImports(file)) {
    if (specifier.startsWith('.')) {
      const target = resolveRelative(file, specifier);
      const targetRel = relative(root, target);
      if (!ALLOWED_DIRS.some((dir) => targetRel === dir || targetRel.startsWith(dir))) {
        problems.push(`${rel}:${line} imports ${targetRel}, which is not pure workflow-safe code (use \`import type\`)`);
      } else {
        queue.push(target);
      }
    } else if (!ALLOWED_PACKAGES.has(specifier)) {
      problems.push(`${rel}:${line} imports "${specifier}"; workflow code may import only ${[...ALLOWED_PACKAGES].join(', ')}`);
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`Workflow determinism check failed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`workflow imports: ${seen.size} files checked, all deterministic\n`);
