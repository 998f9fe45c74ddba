// The compose files, checked without a Docker engine (there is none on the development machines):
// against the Compose specification's JSON Schema (the copy the dclint package ships, schemas/
// compose.schema.json), by dclint's own rules (errors only; its style warnings are left alone), and for
// what neither can express: pinned images, a healthcheck behind every `service_healthy`, one-shot jobs
// behind every `service_completed_successfully`, Herald's stop grace, its variables. docs/docker.md says
// what was and was not run.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { DCLinter } from 'dclint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/env.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FILES = ['docker-compose.yml', 'deploy/docker-compose.production.yml'];

interface Service {
  image?: string;
  build?: unknown;
  restart?: string;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, string> | string[];
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
}

const load = (file: string) => parse(readFileSync(join(ROOT, file), 'utf8'), { merge: true }) as ComposeFile;

const schemaPath = join(createRequire(import.meta.url).resolve('dclint/package.json'), '..', 'schemas', 'compose.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// The schema names draft-07 without the trailing `#` that Ajv's meta-schema id has: compile it as is.
const validate = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(schema);

const errorsOf = (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
}

const isHerald = (service: Service) => service.build !== undefined || /^\$\{HERALD_IMAGE/.test(service.image ?? '');

/** `25s` → 25000 (the compose duration forms used here). */
function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (!match) throw new Error(`unexpected duration ${value}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
}

describe.each(FILES)('%s', (file) => {
  const compose = load(file);
  const services = Object.entries(compose.services);

  it('is valid against the Compose specification JSON Schema', () => {
    expect(errorsOf(compose)).toEqual([]);
  });

  it('has no dclint errors (YAML, schema and its rules)', () => {
    const [result] = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] }).lintFiles([join(ROOT, file)], false);
    const errors = (result?.messages ?? []).filter((m: { type: string }) => m.type === 'error');
    expect(errors.map((m: { rule: string; message: string }) => `${m.rule}: ${m.message}`)).toEqual([]);
  });

  it('pins every image it does not build (a tag with a minor version, or a digest; never latest)', () => {
    for (const [name, service] of services) {
      if (isHerald(service)) continue;
      expect(service.image, `${name}: image`).toMatch(/^[\w./-]+(:[\w.-]*\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/);
    }
  });

  it('waits only on services that can say they are ready', () => {
    for (const [name, service] of services) {
      const deps = Array.isArray(service.depends_on) ? {} : (service.depends_on ?? {});
      expect(Array.isArray(service.depends_on), `${name}: depends_on needs conditions`).toBe(false);
      for (const [target, { condition }] of Object.entries(deps)) {
        const other = compose.services[target];
        expect(other, `${name} depends on ${target}, which does not exist`).toBeDefined();
        if (condition === 'service_healthy')
          expect(other?.healthcheck?.test, `${target}: healthcheck (${name} waits for it)`).toBeDefined();
        else if (condition === 'service_completed_successfully') expect(other?.restart, `${target}: a one-shot job`).toBe('no');
        else throw new Error(`${name} → ${target}: condition ${condition} proves nothing`);
      }
    }
  });

  it("runs Herald with a /readyz healthcheck, the shutdown grace + 10 s to stop, and only Herald's variables", () => {
    const envExample = readFileSync(join(ROOT, '.env.example'), 'utf8');
    const defaultGraceMs = loadConfig({}).shutdownGraceMs;
    const herald = services.filter(([, service]) => isHerald(service));
    expect(herald.length).toBeGreaterThan(0);
    for (const [name, service] of herald) {
      expect(JSON.stringify(service.healthcheck?.test), `${name}: healthcheck`).toContain('/readyz');
      const env = environmentOf(service);
      const graceMs = env.HERALD_SHUTDOWN_GRACE ? durationMs(env.HERALD_SHUTDOWN_GRACE) : defaultGraceMs;
      expect(durationMs(service.stop_grace_period ?? '10s'), `${name}: stop_grace_period`).toBe(graceMs + 10_000);
      for (const key of Object.keys(env).filter((k) => /^(HERALD_|TEMPORAL_|MONGODB_)/.test(k))) {
        // HERALD_ROLE comes with issue 17's roles (docs/roles.md).
        if (key === 'HERALD_ROLE') continue;
        expect(envExample, `${name}: ${key} is not a Herald variable (.env.example)`).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
      }
    }
  });
});

describe('the schema check can fail', () => {
  it('refuses a misspelt key and a wrongly typed value', () => {
    const compose = load('docker-compose.yml') as unknown as { services: Record<string, Record<string, unknown>> };
    const broken = structuredClone(compose);
    (broken.services.herald as Record<string, unknown>).stop_grace = '35s';
    (broken.services.mongo as Record<string, unknown>).ports = 27017;
    const errors = errorsOf(broken);
    expect(errors.some((e) => e.includes('/services/herald') && e.includes('additional properties'))).toBe(true);
    expect(errors.some((e) => e.includes('/services/mongo/ports'))).toBe(true);
  });
});

describe('the production layout', () => {
  const compose = load('deploy/docker-compose.production.yml');
  it('has 2 API and 2 worker processes, Temporal on PostgreSQL with its schema job, its UI and a 3-member replica set', () => {
    const roles = Object.values(compose.services)
      .filter(isHerald)
      .map((service) => environmentOf(service).HERALD_ROLE)
      .sort();
    expect(roles).toEqual(['api', 'api', 'worker', 'worker']);
    expect(compose.services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(environmentOf(compose.services.temporal as Service).DB).toBe('postgres12');
    expect(compose.services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(compose.services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(JSON.stringify(compose.services['mongo-setup'])).toContain('rs.initiate');
    for (const service of Object.values(compose.services).filter(isHerald)) {
      expect(environmentOf(service).MONGODB_URI).toContain('replicaSet=rs0');
    }
  });
});
