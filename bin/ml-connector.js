#!/usr/bin/env node
// Runs the built CLI (npm install builds dist/ through the `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('ml-connector is not built: run `npm install` (or `npm run build`) first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
// The command is over: a handle a library left open (a native runtime, a retrying socket) must not
// keep the process alive, so it exits shortly after even then.
setTimeout(() => process.exit(), 2000).unref();
