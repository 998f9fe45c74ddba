// src/cli/commands.json (the CLI's commands, from the router's input schemas) must match the router: a
// procedure added or changed without `npm run gen:cli` fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliCommandsJson } from '../../scripts/cli-commands-source.js';
import { adaptCommands, type CommandEntry, decodeInput } from '../../src/cli/commands.js';

const committed = readFileSync(new URL('../../src/cli/commands.json', import.meta.url), 'utf8');

describe('CLI commands', () => {
  it('commands.json is what the router generates (npm run gen:cli)', () => {
    // Compared as data: Biome formats the committed file.
    expect(JSON.parse(committed)).toEqual(JSON.parse(cliCommandsJson()));
  });

  it('fits inputs to a command line and back: positional id, comma lists, JSON or @file objects', () => {
    const { parsed, decoders } = adaptCommands(JSON.parse(committed) as CommandEntry[]);
    const paths = parsed.map(([path]) => path);
    expect(paths).toEqual(expect.arrayContaining(['api-keys.create', 'event-types.list', 'deliveries.replay', 'webhooks.create']));
    const replay = parsed.find(([path]) => path === 'deliveries.replay')?.[1].inputSchemas.value[0];
    expect(replay?.properties?.deliveryId).toMatchObject({ positional: true });
    const create = decoders.get('webhooks.create');
    if (!create) throw new Error('no webhooks.create');
    expect(decodeInput(create, { url: 'https://x', eventTypes: 'a.b, c.d', json: true }, () => '')).toEqual({
      url: 'https://x',
      event_types: ['a.b', 'c.d'],
    });
    const publish = decoders.get('events.publish');
    if (!publish) throw new Error('no events.publish');
    expect(decodeInput(publish, { type: 'a.b', data: '@e.json' }, (file) => (file === 'e.json' ? '{"x":1}' : ''))).toEqual({
      type: 'a.b',
      data: { x: 1 },
    });
    expect(() => decodeInput(publish, { type: 'a.b', data: '{' }, () => '')).toThrow(/data: is not JSON/);
  });
});
