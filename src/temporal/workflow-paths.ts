// Where the worker's workflow code is. Run from source (tsx) these files are .ts; built (`npm run build`,
// dist/) they are .js: bundle the same kind.
import { fileURLToPath } from 'node:url';

const extension = import.meta.url.endsWith('.js') ? 'js' : 'ts';

/** The workflow interceptors (OpenTelemetry), bundled with every workflow bundle: see workflows/interceptors.ts. */
export const WORKFLOW_INTERCEPTORS_PATH = fileURLToPath(new URL(`../../workflows/interceptors.${extension}`, import.meta.url));
