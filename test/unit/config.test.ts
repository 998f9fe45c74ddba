import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig } from '../../src/config/env.js';

describe('loadConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.api.port).toBe(3000);
    expect(config.dataDir).toBe('.herald');
    expect(config.temporal).toMatchObject({ address: undefined, namespace: 'default', taskQueue: 'herald' });
    expect(config.devStack).toMatchObject({ temporalPort: 7233, temporalUiPort: 8233, mongodbPort: 27017 });
    expect(config.delivery.allowPrivateUrls).toBe(false);
    expect(config.delivery.timeoutMs).toBe(15_000);
    expect(config.delivery.retryScheduleMs).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(config.delivery.directFanoutMax).toBe(25);
  });

  it('reads durations, lists and booleans', () => {
    const config = loadConfig({
      HERALD_DELIVERY_TIMEOUT: '250ms',
      HERALD_RETRY_SCHEDULE: '1s,2m,3h',
      HERALD_ALLOW_PRIVATE_URLS: 'true',
      HERALD_API_PORT: '8080',
      HERALD_ALLOWED_NETWORKS: '10.1.0.0/16,fd00::/8',
    });
    expect(config.delivery.timeoutMs).toBe(250);
    expect(config.delivery.retryScheduleMs).toEqual([1_000, 120_000, 10_800_000]);
    expect(config.delivery.allowPrivateUrls).toBe(true);
    expect(config.api.port).toBe(8080);
    expect(config.delivery.allowedNetworks?.check('10.1.2.3')).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ HERALD_API_PORT: '', TEMPORAL_ADDRESS: '' }).api.port).toBe(3000);
  });

  it('lists every invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        HERALD_API_PORT: 'eighty',
        HERALD_DELIVERY_TIMEOUT: '15',
        HERALD_ALLOW_PRIVATE_URLS: 'maybe',
        MONGODB_URI: 'postgres://x',
        HERALD_RETRY_SCHEDULE: '5s,,5m',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(problems).toEqual(
      ['HERALD_ALLOW_PRIVATE_URLS', 'HERALD_API_PORT', 'HERALD_DELIVERY_TIMEOUT', 'HERALD_RETRY_SCHEDULE', 'MONGODB_URI'].sort(),
    );
  });
});

describe('speed-up switches', () => {
  it('are all on by default', () => {
    expect(Object.values(loadConfig({}).speedups).every((on) => on)).toBe(true);
  });

  it('turn off one by one', () => {
    const { speedups } = loadConfig({ HERALD_SPEEDUP_GROUP_COMMIT: 'off' });
    expect(speedups.groupCommit).toBe(false);
    expect(Object.entries(speedups).filter(([, on]) => !on)).toEqual([['groupCommit', false]]);
  });

  it('HERALD_SPEEDUPS=off turns every one off, whatever its own switch says', () => {
    const { speedups } = loadConfig({ HERALD_SPEEDUPS: 'off', HERALD_SPEEDUP_FIRST_ATTEMPTS: 'on' });
    expect(Object.values(speedups).some((on) => on)).toBe(false);
  });

  it('accept only on and off', () => {
    expect(() => loadConfig({ HERALD_SPEEDUP_RECENT_EVENTS: 'true' })).toThrow(/HERALD_SPEEDUP_RECENT_EVENTS/);
  });
});

describe('.env.example', () => {
  const lines = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
  const documented = lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]);

  it('documents exactly the variables the config reads', () => {
    expect([...documented].sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it('holds values the config accepts', () => {
    const env = Object.fromEntries(
      lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });
});

describe('HERALD_SHUTDOWN_GRACE', () => {
  it('defaults to 25 s and must be longer than HERALD_DELIVERY_TIMEOUT', () => {
    expect(loadConfig({}).shutdownGraceMs).toBe(25_000);
    expect(loadConfig({ HERALD_DELIVERY_TIMEOUT: '30s', HERALD_SHUTDOWN_GRACE: '31s' }).shutdownGraceMs).toBe(31_000);
    for (const env of [{ HERALD_DELIVERY_TIMEOUT: '30s' }, { HERALD_SHUTDOWN_GRACE: '15s' }, { HERALD_SHUTDOWN_GRACE: '10s' }]) {
      expect(() => loadConfig(env)).toThrow(/HERALD_SHUTDOWN_GRACE: must be longer than HERALD_DELIVERY_TIMEOUT/);
    }
  });
});
