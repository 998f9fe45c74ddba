// Every duration in Herald's configuration uses one notation: an integer followed by a unit,
// e.g. `250ms`, `5s`, `30m`, `2h`, `1d`. A bare number is refused: it is ambiguous.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** Parses `15s` → 15000. Returns `undefined` for anything that is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** Parses a comma-separated list of durations, e.g. the retry schedule `5s,5m,30m`. */
export function parseDurationList(text: string): number[] | undefined {
  const parts = text.split(',').map((part) => parseDuration(part));
  return parts.every((ms): ms is number => ms !== undefined) ? parts : undefined;
}

/** Formats milliseconds in the same notation, choosing the largest exact unit. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
