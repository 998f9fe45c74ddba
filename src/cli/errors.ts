// One line per failure, and the exit code scripts branch on: 2 for bad input (Herald answered 4xx, or the
// command line itself was wrong), 1 for everything else (Herald unreachable, a 5xx).
import { TRPCClientError } from '@trpc/client';
import { CliValidationError } from 'trpc-cli';
import { CliInputError } from './config.js';

export const EXIT_BAD_INPUT = 2;
export const EXIT_FAILURE = 1;

interface ErrorData {
  httpStatus?: number;
  reason?: string;
}

export function describeError(error: unknown): { line: string; exitCode: number } {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as ErrorData;
    const status = data.httpStatus;
    if (status === undefined) return { line: `error: cannot reach Herald: ${causeText(error)}`, exitCode: EXIT_FAILURE };
    const reason = data.reason ? ` (${data.reason})` : '';
    return { line: `error: ${status} ${error.message}${reason}`, exitCode: status >= 400 && status < 500 ? EXIT_BAD_INPUT : EXIT_FAILURE };
  }
  if (error instanceof CliValidationError) {
    // trpc-cli appends the command's help: the first paragraph is the problem.
    const first = error.message.split('\n\n')[0]?.replace(/\s*\n\s*/g, '; ');
    return { line: `error: ${first}`, exitCode: EXIT_BAD_INPUT };
  }
  if (error instanceof CliInputError) return { line: `error: ${error.message}`, exitCode: EXIT_BAD_INPUT };
  return { line: `error: ${error instanceof Error ? error.message : String(error)}`, exitCode: EXIT_FAILURE };
}

function causeText(error: Error): string {
  const cause = error.cause as { message?: string; code?: string; cause?: { code?: string; message?: string } } | undefined;
  return cause?.cause?.code ?? cause?.code ?? cause?.cause?.message ?? cause?.message ?? error.message;
}
