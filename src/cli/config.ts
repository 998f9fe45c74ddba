// The CLI's own settings. Not src/config/env.ts: that module is the server's (it validates every server
// variable and refuses to start on one that is wrong), and a client on a laptop sets none of them. The
// CLI reads only where Herald is and which key to use; --url and --api-key override these.
import { z } from 'zod';

const CliEnv = z.object({
  HERALD_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
  HERALD_API_KEY: z.string().min(1).optional(),
});

export interface CliConnection {
  url: string;
  apiKey: string | undefined;
}

export function cliConnection(env: NodeJS.ProcessEnv, flags: { url?: string; apiKey?: string }): CliConnection {
  const parsed = CliEnv.safeParse({ HERALD_URL: flags.url ?? env.HERALD_URL, HERALD_API_KEY: flags.apiKey ?? env.HERALD_API_KEY });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new CliInputError(problems);
  }
  return { url: parsed.data.HERALD_URL, apiKey: parsed.data.HERALD_API_KEY };
}

/** Bad input noticed by the CLI itself (exit 2, as a 400 from Herald). */
export class CliInputError extends Error {
  override name = 'CliInputError';
}
