// `npm run build:python-client [out-dir]`: generates Herald's Python client from the committed
// openapi.json with openapi-python-client (pinned in clients/python/requirements-build.txt, installed in
// the virtual environment `.venv`: see clients/python/README.md). The generated package is not committed:
// it is a build product of openapi.json, which is. Default output: clients/python/herald-client.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The virtual environment holding the generator (and, for the generated client, httpx and attrs). */
export const PYTHON_VENV = join(root, '.venv');

/** Generates the client package (setup.py + herald_client/) into `outDir`, replacing what was there. */
export function buildPythonClient(outDir: string): string {
  const bin = join(PYTHON_VENV, 'bin');
  const generator = join(bin, 'openapi-python-client');
  if (!existsSync(generator)) {
    throw new Error(`${generator} is missing: python3 -m venv .venv && .venv/bin/pip install -r clients/python/requirements-build.txt`);
  }
  execFileSync(
    generator,
    [
      'generate',
      '--path',
      join(root, 'openapi.json'),
      '--config',
      join(root, 'clients/python/generator.yaml'),
      '--meta',
      'setup',
      '--output-path',
      outDir,
      '--overwrite',
    ],
    // The generator formats its output with ruff, which it finds on PATH (installed beside it).
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } },
  );
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(root, 'clients/python/herald-client'));
  buildPythonClient(out);
  console.error(`build:python-client: wrote ${out}`);
}
