// HERALD_ROLE in the configuration: `all` by default; `api` and `worker` refuse to load without the
// servers they share with other processes (they start no embedded ones).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';

describe('HERALD_ROLE', () => {
  it('is all by default, and all needs neither TEMPORAL_ADDRESS nor MONGODB_URI', () => {
    expect(loadConfig({}).role).toBe('all');
    expect(loadConfig({ HERALD_ROLE: '' }).role).toBe('all');
  });

  it.each(['api', 'worker'])('%s requires TEMPORAL_ADDRESS and MONGODB_URI, naming each missing one', (role) => {
    expect(() => loadConfig({ HERALD_ROLE: role })).toThrow(
      new RegExp(`TEMPORAL_ADDRESS: required when HERALD_ROLE=${role}[^\\n]*\\n\\s+- MONGODB_URI: required when HERALD_ROLE=${role}`),
    );
    expect(() => loadConfig({ HERALD_ROLE: role, TEMPORAL_ADDRESS: '127.0.0.1:7233' })).toThrow(
      /^(?![\s\S]*TEMPORAL_ADDRESS)[\s\S]*MONGODB_URI: required/,
    );
    const config = loadConfig({ HERALD_ROLE: role, TEMPORAL_ADDRESS: '127.0.0.1:7233', MONGODB_URI: 'mongodb://127.0.0.1:27017/' });
    expect(config.role).toBe(role);
  });

  it('refuses an unknown role', () => {
    expect(() => loadConfig({ HERALD_ROLE: 'both' })).toThrow(/HERALD_ROLE/);
  });
});
