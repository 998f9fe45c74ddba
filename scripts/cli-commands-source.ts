// The CLI's command list, derived from the router (run by scripts/gen-cli-commands.ts and the drift test
// only: this module imports the server's router, the CLI itself never does).
import { parseRouter } from 'trpc-cli';
import { appRouter } from '../src/api/router.js';

/** Procedures the CLI does not offer as plain commands: `listen` drives its own (see listen.ts). */
const HIDDEN = /^listen\./;

export function cliCommandsJson(): string {
  const commands = parseRouter({ router: appRouter })
    .filter(([path, info]) => !HIDDEN.test(path) && (info.type === 'query' || info.type === 'mutation'))
    .map(([path, info]) => ({
      path,
      type: info.type,
      inputSchemas: info.inputSchemas.success ? info.inputSchemas.value : [],
    }));
  return `${JSON.stringify(commands, null, 2)}\n`;
}
