// Helpers of the observability tests: a Prometheus text scraper and a log line capture.
import { Writable } from 'node:stream';

/** `name{labels}` → value, from Prometheus' text format (comments skipped). */
export type Samples = Map<string, number>;

export function parsePrometheus(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
    if (match?.[1] && match[2]) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

export async function scrape(url: string): Promise<{ text: string; samples: Samples }> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  const text = await response.text();
  return { text, samples: parsePrometheus(text) };
}

/** How much each sample moved between two scrapes (samples absent before count from 0). */
export function delta(before: Samples, after: Samples, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

/** A pino destination that keeps every line. */
export function logCapture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(line);
      done();
    },
  });
  return { stream, lines };
}
