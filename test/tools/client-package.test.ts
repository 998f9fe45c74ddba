// The client as a package (clients/typescript, @herald/client): built, packed with `npm pack`, installed
// from the tarball into a project outside this repository with only its peer dependencies, type-checked
// by tsc (declarations included: no skipLibCheck) and run against a live Herald.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientPackage } from '../../scripts/build-client-package.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;
const rootPackage = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const versionOf = (name: string): string => rootPackage.dependencies[name] ?? rootPackage.devDependencies[name];

// A consumer's program: every name it uses comes from the package; the @ts-expect-error lines fail the
// type-check if the router's types were lost (an `any` router accepts anything).
const PROGRAM = `
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHeraldClient, verifyWebhook, type AppRouter, type HeraldEvent, type MessageReceivedData, type inferRouterOutputs } from '@herald/client';

type Webhook = inferRouterOutputs<AppRouter>['webhooks']['get'];

const herald = createHeraldClient({ url: process.env.HERALD_URL!, apiKey: process.env.HERALD_API_KEY! });

// @ts-expect-error url is a string
void (() => herald.webhooks.create.mutate({ url: 42, event_types: [] }));
// @ts-expect-error no such procedure
void (() => herald.webhooks.nope.query());
const data: MessageReceivedData = { message: { id: 'msg_pkg_1', from: 'a@example.com', to: ['agent@example.com'], subject: 'packed' } };
// @ts-expect-error message.from is a string (in daimon's documented shape and in Herald's own)
const missing: MessageReceivedData = { message: { id: 'x', from: 42, to: [] } };
void missing;

let secret = '';
let created: (info: { listed: string[]; webhook_id: string }) => void = () => {};
const registered = new Promise<{ listed: string[]; webhook_id: string }>((resolve) => { created = resolve; });
const received = new Promise<{ ok: boolean; event: HeraldEvent<'message.received'> }>((resolve) => {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk; });
    req.on('end', () => {
      const verified = verifyWebhook(body, req.headers, secret);
      res.writeHead(verified.ok ? 200 : 401).end();
      resolve({ ok: verified.ok, event: JSON.parse(body) as HeraldEvent<'message.received'> });
      server.close();
    });
  });
  server.listen(0, '127.0.0.1', async () => {
    const { port } = server.address() as AddressInfo;
    const webhook = await herald.webhooks.create.mutate({ url: \`http://127.0.0.1:\${port}/hooks\`, event_types: ['message.received'] });
    secret = webhook.secret ?? '';
    const listed: Webhook[] = (await herald.webhooks.list.query({ limit: 10 })).webhooks;
    await herald.events.publish.mutate({ type: 'message.received', event_id: 'evt_pkg_1', data: { ...data } });
    created({ listed: listed.map((w) => w.id), webhook_id: webhook.id });
  });
});

// The delivery may arrive before the publish answers (a first attempt is made at once): wait for both.
const [{ listed, webhook_id }, { ok, event }] = await Promise.all([registered, received]);
console.log(JSON.stringify({ listed, webhook_id, ok, event: event.event, event_id: event.event_id, subject: event.message.subject }));
`;

let herald: TestHerald;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-client-package-'));
  herald = await startTestHerald();
});

afterAll(async () => {
  await herald?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the @herald/client package', () => {
  it('packs, installs outside the repository, type-checks and runs against a live Herald', async () => {
    await buildClientPackage();
    const { stdout: packed } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(repo, 'clients/typescript') });
    const [pack] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
    expect(pack?.files.map((f) => f.path).sort()).toEqual(['README.md', 'dist/index.d.ts', 'dist/index.js', 'package.json']);
    const manifest = JSON.parse(readFileSync(join(repo, 'clients/typescript/package.json'), 'utf8'));
    expect(manifest.scripts?.postinstall).toBeUndefined();
    expect(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).sort()).toEqual(['@trpc/client', '@trpc/server']);

    const project = join(dir, 'consumer');
    await run('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // Registry dependencies at the repository's own versions (from the npm cache when it has them).
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(dir, pack?.filename ?? ''),
        ...['@trpc/client', '@trpc/server', 'typescript', '@types/node'].map((name) => `${name}@${versionOf(name)}`),
      ],
      { cwd: project, timeout: 400_000 },
    );
    const installed = await run('npm', ['ls', '--all', '--parseable'], { cwd: project });
    for (const server of ['@temporalio', 'mongodb', 'trpc-to-openapi', 'zod'])
      expect(installed.stdout).not.toContain(`node_modules/${server}`);

    writeFileSync(join(project, 'program.ts'), PROGRAM);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          types: ['node'],
          outDir: 'out',
        },
        files: ['program.ts'],
      }),
    );
    // Type errors are printed on stdout: show them when tsc fails.
    await run(join(project, 'node_modules/.bin/tsc'), ['-p', project], { cwd: project }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed:\n${error.stdout}`);
    });

    const { apiKey, accountId } = await herald.newAccount('package');
    const { stdout } = await run('node', [join(project, 'out/program.js')], {
      cwd: project,
      env: { ...process.env, HERALD_URL: herald.url, HERALD_API_KEY: apiKey },
      timeout: 60_000,
    });
    const result = JSON.parse(stdout);
    expect(result.listed).toContain(result.webhook_id);
    expect(result).toMatchObject({ ok: true, event: 'message.received', event_id: 'evt_pkg_1', subject: 'packed' });
    expect(accountId).toMatch(/^acc_/);
    // A limit, not a measure: a build (tsc over the router's files), an install and a type-check take
    // minutes on a machine shared with other test files.
  }, 600_000);
});
