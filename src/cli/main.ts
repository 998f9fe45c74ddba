// The `herald` command line: every procedure of the router as a command (trpc-cli builds the commands and
// parses argv from each procedure's input schema, kept in commands.json), plus a recover that follows its
// progress. A client only: it talks HTTP to Herald through the typed client in src/client.
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { createCli, getCliContext } from 'trpc-cli';
// Experimental in trpc-cli (not re-exported from its index): a router whose procedures call elsewhere.
import { proxify } from 'trpc-cli/dist/proxify.js';
import { createHeraldClient, type HeraldClient } from '../client/index.js';
import { adaptCommands, type CommandEntry, decodeInput } from './commands.js';
import { CliInputError, cliConnection } from './config.js';
import { describeError, EXIT_BAD_INPUT } from './errors.js';
import { listen } from './listen.js';
import { printResult } from './output.js';
import { recoverWithProgress } from './recover.js';

interface GlobalFlags {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

const entries = JSON.parse(readFileSync(new URL('./commands.json', import.meta.url), 'utf8')) as CommandEntry[];
const adapted = adaptCommands(entries);

/**
 * --url, --api-key and --json may come before the command (`herald --url … webhooks create --url …`: there
 * the second --url is the webhook's) or after it, where the command has no option of that name.
 */
function globalFlags(): GlobalFlags {
  const context = getCliContext() as unknown as
    | { program: { opts(): GlobalFlags }; command: { opts(): GlobalFlags & Record<string, unknown> } }
    | undefined;
  const before = context?.program.opts() ?? {};
  const after = context?.command.opts() ?? {};
  const own = context ? adapted.decoders.get(commandPath(context.command))?.fields : undefined;
  return {
    url: own?.has('url') ? before.url : (after.url ?? before.url),
    apiKey: after.apiKey ?? before.apiKey,
    json: Boolean(after.json ?? before.json),
  };
}

function commandPath(command: unknown): string {
  const names: string[] = [];
  for (let c = command as { name(): string; parent: unknown } | null; c?.parent; c = c.parent as typeof c) names.unshift(c.name());
  return names.join('.');
}

function connect(): HeraldClient {
  const flags = globalFlags();
  const { url, apiKey } = cliConnection(process.env, flags);
  if (!apiKey) throw new CliInputError('no API key: set HERALD_API_KEY or pass --api-key');
  return createHeraldClient({ url, apiKey });
}

async function call(command: string, type: 'query' | 'mutation', raw: unknown): Promise<undefined> {
  const decoder = adapted.decoders.get(command);
  if (!decoder) throw new CliInputError(`unknown command ${command}`);
  const path = decoder.path;
  const input = decodeInput(decoder, raw, (file) => readFileSync(file, 'utf8'));
  const client = connect();
  const { json = false } = globalFlags();
  let result: unknown;
  if (path === 'deliveries.recover') {
    const leaf = getCliContext()?.command as unknown as { opts(): { wait?: boolean } } | undefined;
    const wait = leaf?.opts().wait !== false;
    result = await recoverWithProgress(client, input as never, wait);
  } else {
    const [namespace = '', name = ''] = path.split('.');
    const procedure = (client as unknown as Record<string, Record<string, Record<string, (input: unknown) => Promise<unknown>>>>)[
      namespace
    ]?.[name];
    if (!procedure) throw new CliInputError(`unknown command ${path}`);
    result = await (type === 'query' ? procedure.query?.(input) : procedure.mutate?.(input));
  }
  printResult(result, json);
  return undefined;
}

const router = proxify(adapted.parsed as never, (path: string) => ({
  [path]: {
    query: (input: unknown) => call(path, 'query', input),
    mutate: (input: unknown) => call(path, 'mutation', input),
  },
}));

const cli = createCli({
  router,
  name: 'herald',
  description: 'Herald from the command line: HERALD_URL (default http://127.0.0.1:3000) and HERALD_API_KEY, or --url and --api-key.',
});
let failure: number | undefined;
let errorShown = false;
const runParams = {
  prompts: false,
  formatError: (error: unknown) => {
    const { line, exitCode } = describeError(error);
    failure = exitCode;
    return line;
  },
  logger: {
    info: (...args: unknown[]) => process.stdout.write(`${args.join(' ')}\n`),
    // One line: commander follows a refused command line with the command's help (--help shows it).
    error: (...args: unknown[]) => {
      const line = args
        .join(' ')
        .split('\n')
        .find((text) => text.trim() !== '');
      if (line === undefined || errorShown) return;
      errorShown = true;
      process.stderr.write(`${line}\n`);
    },
  },
  process: {
    // A failure formatError saw carries its own code; any other non-zero exit is commander refusing the
    // command line (unknown option, missing argument): bad input.
    exit: (code: number): never => process.exit(code === 0 ? 0 : (failure ?? EXIT_BAD_INPUT)),
  },
};
const program = cli.buildProgram(runParams) as unknown as Command;
program
  .option('--url <url>', 'Herald base URL (default: HERALD_URL or http://127.0.0.1:3000)')
  .option('--api-key <key>', 'API key (default: HERALD_API_KEY)')
  .option('--json', 'print JSON for scripts instead of tables')
  // Options before the command are the program's: a command's own --url (webhooks create) stays its own.
  .enablePositionalOptions();
for (const leaf of leaves(program)) {
  if (!leaf.options.some((option: Option) => option.long === '--url')) leaf.option('--url <url>', 'Herald base URL (default: HERALD_URL)');
  leaf.option('--api-key <key>', 'API key (default: HERALD_API_KEY)').option('--json', 'print JSON for scripts instead of tables');
}

program.commands
  .find((c: Command) => c.name() === 'deliveries')
  ?.commands.find((c: Command) => c.name() === 'recover')
  ?.option('--no-wait', 'answer at once instead of following the progress');

// `herald listen`: not a procedure call but a session the CLI holds (listen.ts).
program
  .command('listen')
  .description("Forward a temporary webhook's deliveries to a local URL (Ctrl-C deletes the webhook)")
  .requiredOption('--forward-to <url>', 'local URL to POST each delivery to, e.g. http://localhost:4000/hooks')
  .option('--event-types <types>', 'comma-separated event types (default: every type)')
  .option('--inbox-ids <ids>', 'comma-separated inbox ids (default: every inbox)')
  .option('--url <url>', 'Herald base URL (default: HERALD_URL)')
  .option('--api-key <key>', 'API key (default: HERALD_API_KEY)')
  .action(async (options: { forwardTo: string; eventTypes?: string; inboxIds?: string; url?: string; apiKey?: string }) => {
    const list = (value: string | undefined) =>
      value
        ?.split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    try {
      const before = program.opts() as GlobalFlags;
      const { url, apiKey } = cliConnection(process.env, { url: options.url ?? before.url, apiKey: options.apiKey ?? before.apiKey });
      if (!apiKey) throw new CliInputError('no API key: set HERALD_API_KEY or pass --api-key');
      const code = await listen({
        url,
        apiKey,
        forwardTo: options.forwardTo,
        eventTypes: list(options.eventTypes),
        inboxIds: list(options.inboxIds),
      });
      process.exit(code);
    } catch (error) {
      const { line, exitCode } = describeError(error);
      process.stderr.write(`${line}\n`);
      process.exit(exitCode);
    }
  });

function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
}

await cli.run(runParams, program as never);
