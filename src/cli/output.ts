// What a command prints: JSON for scripts (--json), otherwise tables (a page's items) and key: value lines.
import { yamlTableConsoleLogger } from 'trpc-cli';

export function printResult(result: unknown, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result ?? null, null, 2)}\n`);
    return;
  }
  if (result === undefined || result === null) return;
  const rows = pageItems(result);
  if (!rows) {
    yamlTableConsoleLogger.info?.(flatten(result));
    return;
  }
  const [key, items] = rows;
  if (items.length === 0) process.stdout.write(`no ${key}\n`);
  else yamlTableConsoleLogger.info?.(items.map(flatten));
  for (const [name, value] of Object.entries(result as Record<string, unknown>)) {
    if (name !== key && value !== null && typeof value !== 'object') process.stdout.write(`${name}: ${value}\n`);
  }
}

/** A page (`{ webhooks: [...], next_page_token }`): the one array of objects it holds. */
function pageItems(result: unknown): [string, unknown[]] | undefined {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return Array.isArray(result) ? ['items', result] : undefined;
  const arrays = Object.entries(result).filter(([, value]) => Array.isArray(value));
  return arrays.length === 1 ? (arrays[0] as [string, unknown[]]) : undefined;
}

/** A table cell holds one line: nested values as compact JSON, lists joined. */
function flatten(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      Array.isArray(v) && v.every((item) => typeof item !== 'object')
        ? v.join(',')
        : typeof v === 'object' && v !== null
          ? JSON.stringify(v)
          : v,
    ]),
  );
}
