// Token buckets, one per key, in this process's memory: a bucket holds up to `burst` tokens and gains
// `burst` every `perMs`; a call takes one, or is told how long until one is there. Written here rather
// than taken from rate-limiter-flexible: its memory limiter counts fixed windows (up to twice the limit
// across a window's edge) and keeps a timer per key, while a bucket is a few lines of arithmetic whose
// wait is exact, which is what `Retry-After` needs.

/** `burst` calls at once, refilled at `burst` per `perMs`: `600/1m` is a burst of 600, then 10 a second. */
export interface Rate {
  burst: number;
  perMs: number;
}

const RATE = /^(\d+)\/(\d*)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `600/1m` (or `600/m`) → { burst: 600, perMs: 60000 }; undefined for anything else. */
export function parseRate(text: string): Rate | undefined {
  const match = RATE.exec(text.trim());
  if (!match) return undefined;
  const [, burst, amount, unit] = match;
  const perMs = Number(amount || '1') * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (Number(burst) < 1 || perMs < 1) return undefined;
  return { burst: Number(burst), perMs };
}

interface Bucket {
  tokens: number;
  at: number;
}

export interface TokenBuckets {
  /** Milliseconds until `key` has a token (0: it has one now). Takes nothing. */
  waitMs(key: string): number;
  /** Takes a token from `key` if it has one and answers 0; otherwise takes nothing and answers the wait. */
  take(key: string): number;
  /** Buckets held (refilled ones are dropped: a full bucket and no bucket are the same). */
  readonly size: number;
}

export function createTokenBuckets(rate: Rate, now: () => number = Date.now): TokenBuckets {
  const buckets = new Map<string, Bucket>();
  const perToken = rate.perMs / rate.burst;
  let lastSweep = now();

  function tokens(key: string, at: number): number {
    const bucket = buckets.get(key);
    return bucket ? Math.min(rate.burst, bucket.tokens + (at - bucket.at) / perToken) : rate.burst;
  }

  /** Drops buckets that have refilled, at most once per refill period, so idle keys cost no memory. */
  function sweep(at: number): void {
    if (at - lastSweep < rate.perMs) return;
    lastSweep = at;
    for (const key of buckets.keys()) if (tokens(key, at) >= rate.burst) buckets.delete(key);
  }

  function waitMs(key: string, at: number): number {
    return Math.max(0, Math.ceil((1 - tokens(key, at)) * perToken));
  }

  return {
    waitMs: (key) => waitMs(key, now()),
    take(key) {
      const at = now();
      sweep(at);
      const wait = waitMs(key, at);
      if (wait === 0) buckets.set(key, { tokens: tokens(key, at) - 1, at });
      return wait;
    },
    get size() {
      return buckets.size;
    },
  };
}
