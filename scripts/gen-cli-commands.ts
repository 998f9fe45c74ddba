// Writes src/cli/commands.json: every procedure of the router with its input's JSON Schema, as trpc-cli's
// parseRouter reads them. The CLI builds its commands from this file instead of importing the router,
// because the router's modules pull in the store and Temporal (mongodb, @temporalio/*), which a client
// must not load. test/unit/cli-commands.test.ts fails when the file drifts from the router.
import { writeFileSync } from 'node:fs';
import { cliCommandsJson } from './cli-commands-source.js';

const target = new URL('../src/cli/commands.json', import.meta.url);
writeFileSync(target, cliCommandsJson());
process.stdout.write(`wrote ${target.pathname}\n`);
