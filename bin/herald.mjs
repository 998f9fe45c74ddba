#!/usr/bin/env node
// `herald` (npx herald … in this repository): the CLI is TypeScript run through tsx, as `npm start` is.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
