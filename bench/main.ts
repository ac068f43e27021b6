// `npm run bench`: the benchmarks are a developer tool beside the product, not a command of it.
import { runCommand } from '../src/cli/index.js';
import { command } from './command.js';

process.exitCode = await runCommand('bench', command, process.argv.slice(2));
