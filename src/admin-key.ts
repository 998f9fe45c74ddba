// The operator's admin key: HERALD_ADMIN_API_KEY, or one generated on first start and kept under the
// data dir (readable by the owner only), so that it survives restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function resolveAdminKey(configured: string | undefined, dataDir: string): { key: string; source: 'env' | 'file' | 'generated' } {
  if (configured) return { key: configured, source: 'env' };
  const file = join(dataDir, 'admin-api-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), source: 'file' };
  mkdirSync(dataDir, { recursive: true });
  const key = `hk_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, source: 'generated' };
}
