// The operator's admin key: HERALD_ADMIN_API_KEY, or one generated on first start and kept under the
// data dir (readable by the owner only), so that it survives restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function resolveAdminKey(configured: string | undefined, dataDir: string): { key: string; source: 'env' | 'file' | 'generated' } {
  if (configured) return { key: configured, source: 'env' };
  const file = join(dataDir, 'admin-api-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), source: 'file' };
  mkdirSync(dataDir, { recursive: true });
  const key = `hk_admin_${randomBytes(24).toString('base64url')}`;
  // Written whole under a temporary name, then linked into place (a link never replaces a file): of
  // several processes starting at once on one data dir, the first one's key is kept and the others read
  // that one, so all of them accept the same key.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, `${key}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { key: readFileSync(file, 'utf8').trim(), source: 'file' };
  } finally {
    rmSync(temporary, { force: true });
  }
  return { key, source: 'generated' };
}
