#!/usr/bin/env node
// The `switchyard` command: runs src/main.ts through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { runMain } = await import('../src/main.ts');
await runMain(process.argv.slice(2));
