// `npm run bench -- --only growth [--sizes 10000,100000,1000000]`: what a month of data does to every
// read and background job. Seeds deliveries (and their events, and their index entries) directly
// through the store's own record and entry builders, in large insertMany batches, across 20 accounts
// of 5 webhooks each; then, at each size, measures through the running Herald's REST face the p50/p99
// of the reads an operator makes on one of those accounts (whose share grows with the total: 5 % of
// everything), with the CPU each request cost Herald and the MongoDB-protocol server, publish, the reconciler's and retention's CPU per run, and the disk bytes per delivery.
// The growth factor is each figure at the largest size over the smallest (target ≤ 1.5×).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Collection } from 'mongodb';
import { request } from 'undici';
import { deliveryId } from '../../src/domain/ids.js';
import { deliveryEntries, statusEntry } from '../../src/store/deliveries-repo.js';
import type { DeliveryDoc, DeliveryStatus, EventDoc } from '../../src/store/documents.js';
import type { EntryDoc } from '../../src/store/entry-scan.js';
import { eventEntries, eventKey, undispatchedEntry } from '../../src/store/events-repo.js';
import { createStore, type Store } from '../../src/store/index.js';
import { connectMongo, type Mongo } from '../../src/store/mongo.js';
import { deliveryWorkflowId } from '../../src/temporal/workflow-ids.js';
import type { Stack } from '../../test/support/stack.js';
import { treeCpuMs } from '../lib/cpu.js';
import { BENCH_DATABASE, type HeraldUnderTest, sampleMessage } from '../lib/herald.js';
import { round, summarize } from '../lib/stats.js';

const ACCOUNTS = 20;
const WEBHOOKS_PER_ACCOUNT = 5;
const SAMPLES = 30;
const DAY_MS = 86_400_000;
/** Expired deliveries seeded before each retention measurement (one batch of the retention job). */
const EXPIRED = 1_000;
/** Reconciler markers of a minute's publishes at 10 events/s, seeded before each reconciler measurement. */
const MARKERS = 600;

export interface GrowthSize {
  deliveries: number;
  seedSeconds: number;
  /** Route → p50/p99 ms. */
  latencyMs: Record<string, Timing>;
  /** CPU ms (Herald's store code in this process + the MongoDB-protocol server) of one run. */
  reconcileCpuMs: number;
  retentionCpuMs: number;
  bytesPerDelivery: number;
}

export interface GrowthResult {
  sizes: GrowthSize[];
  /** Each figure at the largest size over the smallest. */
  growth: Record<string, number>;
}

interface Population {
  accounts: { id: string; apiKey: string; webhooks: string[] }[];
}

const seq = { event: 0 };

async function population(store: Store, receiverUrl: string): Promise<Population> {
  const accounts: Population['accounts'] = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    const { account, apiKey } = await store.accounts.create(`growth ${a}`);
    const webhooks: string[] = [];
    for (let w = 0; w < WEBHOOKS_PER_ACCOUNT; w++) {
      const { webhook } = await store.webhooks.create(account._id, {
        url: `${receiverUrl}/growth/${a}/${w}`,
        event_types: ['message.received'],
        inbox_ids: [],
        pod_ids: [],
        name: null,
        client_id: null,
        enabled: true,
      });
      webhooks.push(webhook._id);
    }
    accounts.push({ id: account._id, apiKey, webhooks });
  }
  return { accounts };
}

function statusOf(i: number): DeliveryStatus {
  return i % 10 === 0 ? 'failed' : 'succeeded';
}

/** One event of `account` at `at`, dispatched, with a delivery to each of its webhooks. */
function eventWithDeliveries(account: Population['accounts'][number], at: Date, dispatched: boolean) {
  const n = seq.event++;
  const event: EventDoc = {
    _id: '',
    id: `evt_growth_${n}`,
    account_id: account.id,
    type: 'message.received',
    inbox_id: `inbox_${n % 7}`,
    pod_id: null,
    data: sampleMessage(n),
    created_at: at,
    dispatched_at: dispatched ? at : null,
  };
  event._id = eventKey(account.id, event.id);
  const deliveries = account.webhooks.map((webhookId, w): DeliveryDoc => {
    const status = statusOf(n * 7_919 + w * 104_729);
    return {
      _id: deliveryId(webhookId, event.id),
      account_id: account.id,
      webhook_id: webhookId,
      event_id: event.id,
      event_type: event.type,
      event_created_at: at,
      status,
      attempts: [
        {
          started_at: at,
          duration_ms: 12,
          status_code: status === 'failed' ? 500 : 200,
          response_body: status === 'failed' ? 'internal error' : 'ok',
          error: null,
          outcome: status === 'failed' ? 'retry' : 'success',
        },
      ],
      next_attempt_at: null,
      workflow_id: deliveryWorkflowId(webhookId, event.id),
      created_at: at,
      updated_at: at,
    };
  });
  return { event, deliveries };
}

type AnyDoc = { _id: string };

async function insertAll(collection: Collection<AnyDoc>, docs: AnyDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 2_000) await collection.insertMany(docs.slice(i, i + 2_000), { ordered: false });
}

/** Adds `count` deliveries (count / 5 events), spread over the last 29 days, across every account. */
async function seed(mongo: Mongo, pop: Population, count: number, now: number): Promise<void> {
  const events = mongo.collections.events as unknown as Collection<AnyDoc>;
  const deliveries = mongo.collections.deliveries as unknown as Collection<AnyDoc>;
  const perBatch = 2_000;
  for (let done = 0; done < count; ) {
    const eventDocs: AnyDoc[] = [];
    const deliveryDocs: AnyDoc[] = [];
    while (deliveryDocs.length < perBatch * 5 && done < count) {
      const account = pop.accounts[seq.event % ACCOUNTS] as Population['accounts'][number];
      const at = new Date(now - Math.floor(Math.random() * 29 * DAY_MS));
      const { event, deliveries: made } = eventWithDeliveries(account, at, true);
      eventDocs.push(event, ...eventEntries(event));
      for (const d of made) {
        const status = statusEntry(d);
        deliveryDocs.push(d, ...deliveryEntries(d), ...(status ? [status] : []));
      }
      done += made.length;
    }
    await insertAll(events, eventDocs);
    await insertAll(deliveries, deliveryDocs);
  }
}

interface Timing {
  p50: number;
  p99: number;
  /** CPU ms per request of Herald and the MongoDB-protocol server: what the request cost, whatever else ran. */
  cpuMs: number;
}

async function timed(samples: number, serverPids: number[], call: () => Promise<void>): Promise<Timing> {
  for (let i = 0; i < 3; i++) await call();
  const ms: number[] = [];
  const cpu = () => serverPids.reduce((sum, pid) => sum + treeCpuMs(pid), 0);
  const cpuBefore = cpu();
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await call();
    ms.push(performance.now() - start);
  }
  const cpuMs = round((cpu() - cpuBefore) / samples);
  const s = summarize(ms);
  return { p50: round(s.p50), p99: round(s.p99), cpuMs };
}

async function get(url: string, apiKey: string): Promise<void> {
  const response = await request(url, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode} ${body.slice(0, 200)}`);
}

function databaseBytes(dir: string): number {
  let total = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.startsWith(BENCH_DATABASE)) total += statSync(full).size;
    }
  };
  walk(dir);
  return total;
}

/** CPU ms of this process and the MongoDB-protocol server while `work` runs. */
async function cpuOf(stack: Stack, work: () => Promise<unknown>): Promise<number> {
  const before = treeCpuMs(-process.pid) + treeCpuMs(stack.mongodbPid());
  await work();
  return round(treeCpuMs(-process.pid) + treeCpuMs(stack.mongodbPid()) - before, 0);
}

export async function runGrowth(
  stack: Stack,
  herald: HeraldUnderTest,
  receiverUrl: string,
  { sizes, log }: { sizes: number[]; log: (msg: string) => void },
): Promise<GrowthResult> {
  const mongo = await connectMongo(stack.mongodbUri, BENCH_DATABASE);
  const store = createStore(mongo);
  try {
    const pop = await population(store, receiverUrl);
    const busy = pop.accounts[0] as Population['accounts'][number];
    const busyWebhook = busy.webhooks[0] as string;
    const publisher = pop.accounts[1] as Population['accounts'][number];
    const now = Date.now();
    const results: GrowthSize[] = [];
    let stored = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const started = performance.now();
      log(`growth: seeding to ${size} deliveries`);
      await seed(mongo, pop, size - stored, now);
      stored = size;
      const seedSeconds = round((performance.now() - started) / 1000);
      log(`  seeded in ${seedSeconds} s`);

      const base = `${herald.url}/v1`;
      // Herald alone (not Temporal): for publish, Temporal's share of a delivery is not what grows here.
      const pids = [herald.process.pid, stack.mongodbPid()];
      const aDelivery = deliveryId(busyWebhook, 'evt_growth_0');
      const latencyMs: GrowthSize['latencyMs'] = {
        'deliveries.list by webhook': await timed(SAMPLES, pids, () =>
          get(`${base}/deliveries?webhook_id=${busyWebhook}&limit=20`, busy.apiKey),
        ),
        'deliveries.list by webhook, failed': await timed(SAMPLES, pids, () =>
          get(`${base}/deliveries?webhook_id=${busyWebhook}&status=failed&limit=20`, busy.apiKey),
        ),
        'deliveries.list by status': await timed(SAMPLES, pids, () => get(`${base}/deliveries?status=failed&limit=20`, busy.apiKey)),
        'events.list': await timed(SAMPLES, pids, () => get(`${base}/events?limit=20`, busy.apiKey)),
        'events.list by inbox': await timed(SAMPLES, pids, () => get(`${base}/events?inbox_id=inbox_3&limit=20`, busy.apiKey)),
        'webhooks.list by status': await timed(SAMPLES, pids, () => get(`${base}/webhooks?status=active&limit=20`, busy.apiKey)),
        'deliveries.get': await timed(SAMPLES, pids, () => get(`${base}/deliveries/${aDelivery}`, busy.apiKey)),
        // Another account's publishes: the measured account's newest deliveries stay the seeded ones (its
        // status lists would otherwise read through every earlier size's publishes first).
        publish: await timed(SAMPLES, pids, async () => {
          const response = await request(`${base}/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${publisher.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'message.received', inbox_id: 'inbox_bench', data: sampleMessage(`p${seq.event++}`) }),
          });
          const body = await response.body.text();
          if (response.statusCode !== 200) throw new Error(`publish: ${response.statusCode} ${body.slice(0, 200)}`);
        }),
      };

      // The reconciler: a minute of publishes' markers (their events dispatched), read and cleared.
      const markerEvents: AnyDoc[] = [];
      for (let i = 0; i < MARKERS; i++) {
        const { event } = eventWithDeliveries(
          pop.accounts[i % ACCOUNTS] as Population['accounts'][number],
          new Date(Date.now() - 90_000),
          true,
        );
        const entries: EntryDoc[] = [...eventEntries(event), undispatchedEntry(event)];
        markerEvents.push(event, ...entries);
      }
      await insertAll(mongo.collections.events as unknown as Collection<AnyDoc>, markerEvents);
      const reconcileCpuMs = await cpuOf(stack, async () => {
        for (;;) {
          const { more } = await store.events.undispatched(new Date(Date.now() - 60_000), 100);
          if (!more) break;
        }
      });

      // Retention: one batch of expired deliveries and their events.
      const expired: { events: AnyDoc[]; deliveries: AnyDoc[] } = { events: [], deliveries: [] };
      for (let i = 0; i < EXPIRED / WEBHOOKS_PER_ACCOUNT; i++) {
        const { event, deliveries } = eventWithDeliveries(
          pop.accounts[i % ACCOUNTS] as Population['accounts'][number],
          new Date(now - 31 * DAY_MS - i),
          true,
        );
        expired.events.push(event, ...eventEntries(event));
        for (const d of deliveries) expired.deliveries.push(d, ...deliveryEntries(d));
      }
      await insertAll(mongo.collections.events as unknown as Collection<AnyDoc>, expired.events);
      await insertAll(mongo.collections.deliveries as unknown as Collection<AnyDoc>, expired.deliveries);
      const retentionCpuMs = await cpuOf(stack, async () => {
        const before = new Date(now - 30 * DAY_MS);
        await store.deliveries.deleteOlderThan(before, EXPIRED);
        await store.events.deleteOlderThan(before, EXPIRED);
      });

      const bytesPerDelivery = round(databaseBytes(stack.dir) / size, 0);
      const result: GrowthSize = { deliveries: size, seedSeconds, latencyMs, reconcileCpuMs, retentionCpuMs, bytesPerDelivery };
      results.push(result);
      log(`  ${JSON.stringify(result)}`);
    }
    return { sizes: results, growth: growthFactors(results) };
  } finally {
    await mongo.close();
  }
}

function growthFactors(sizes: GrowthSize[]): Record<string, number> {
  const first = sizes[0];
  const last = sizes.at(-1);
  if (!first || !last || first === last) return {};
  const factors: Record<string, number> = {};
  for (const [name, figure] of Object.entries(last.latencyMs)) {
    const from = first.latencyMs[name];
    if (from) factors[`${name} p50`] = round(figure.p50 / from.p50, 2);
    if (from) factors[`${name} cpu`] = round(figure.cpuMs / Math.max(0.1, from.cpuMs), 2);
  }
  factors['reconciler CPU/run'] = round(last.reconcileCpuMs / Math.max(1, first.reconcileCpuMs), 2);
  factors['retention CPU/run'] = round(last.retentionCpuMs / Math.max(1, first.retentionCpuMs), 2);
  factors['bytes/delivery'] = round(last.bytesPerDelivery / first.bytesPerDelivery, 2);
  return factors;
}

export function growthTable(result: GrowthResult): string {
  const sizes = result.sizes;
  const header = ['figure', ...sizes.map((s) => `${s.deliveries.toLocaleString('en')} deliveries`), 'growth (p50, CPU)'];
  const rows: string[][] = [];
  const names = Object.keys(sizes[0]?.latencyMs ?? {});
  for (const name of names) {
    rows.push([
      `${name} p50 / p99 ms (CPU ms)`,
      ...sizes.map((s) => `${s.latencyMs[name]?.p50} / ${s.latencyMs[name]?.p99} (${s.latencyMs[name]?.cpuMs})`),
      `${result.growth[`${name} p50`] ?? '—'}×, ${result.growth[`${name} cpu`] ?? '—'}×`,
    ]);
  }
  rows.push(['reconciler CPU ms/run', ...sizes.map((s) => String(s.reconcileCpuMs)), `${result.growth['reconciler CPU/run'] ?? '—'}×`]);
  rows.push([
    'retention CPU ms/run (1,000)',
    ...sizes.map((s) => String(s.retentionCpuMs)),
    `${result.growth['retention CPU/run'] ?? '—'}×`,
  ]);
  rows.push(['disk bytes/delivery', ...sizes.map((s) => String(s.bytesPerDelivery)), `${result.growth['bytes/delivery'] ?? '—'}×`]);
  rows.push(['seeding s', ...sizes.map((s) => String(s.seedSeconds)), '']);
  const lines = [header, ...rows];
  return lines.map((r) => `| ${r.join(' | ')} |`).join('\n');
}
