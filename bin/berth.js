#!/usr/bin/env node
// The `berth` command. The TypeScript is compiled by `npm install` (the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/runtime/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('berth: dist/ is missing; run `npm install` (or `npm run build`) in the berth folder first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
