// Where recorded workflow histories live (written by the workflow tests, replayed by the unit tests).
import { fileURLToPath } from 'node:url';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories/', import.meta.url));
