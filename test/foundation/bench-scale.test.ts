import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The scale benchmark at a tiny size, so its pieces keep working (simulators in child processes,
// both first loads, the 1 % change, the serial writer, the status check). Its numbers come from
// running it at a million (docs/benchmarks.md); nothing here is timed. It runs the built bench, as
// `npm run bench` does: the simulator children are forked from dist/.
const main = join(process.cwd(), 'dist', 'bench', 'main.js');
const built = existsSync(main);
if (!built) console.warn('bench --scale test skipped: dist/ is missing (run `npm run build` or `npm test`)');

(built ? describe : describe.skip)('npm run bench -- --scale', () => {
  it('loads customers and orders, changes 1 %, and prints every measurement and the five targets', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [main, '--scale', '--customers', '400', '--orders', '300', '--naive-sample', '20'],
      { env: { ...process.env, LOG_LEVEL: 'warn' }, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toMatch(/^members: [\d,]+ written .* = [\d.]+\/s; ratio to the per-request ceiling/m);
    expect(stdout).toMatch(/^serial writer .*: [\d.]+ members\/s on 20; first load speed-up x[\d.]+/m);
    expect(stdout).toMatch(/^orders: [\d,]+ written .* = [\d.]+\/s/m);
    // One customer in a hundred changed; the incremental run reads them from Sage.
    expect(stdout).toMatch(
      /^incremental: 4 changed, \d+ read by the job, [1-9]\d* Sage customer rows served/m,
    );
    expect(stdout).toMatch(
      /^worker RSS .*customers [\d.]+ MB at 10 %.* [\d.]+ MB at 50 %.* [\d.]+ MB at 100 %/m,
    );
    expect(stdout).toMatch(/^history, customers first load: [\d,]+ events/m);
    expect(stdout).toMatch(/^history, incremental: [\d,]+ events/m);
    // The seeded unsubscribed and cleaned members keep their status: no sync changes it.
    expect(stdout).toMatch(
      /^seeded statuses: 20 .*: 0 status changes after the first load, 0 after the incremental run/m,
    );
    const targets = stdout.split('\n').filter((l) => /^ {2}(PASS|FAIL) /.test(l));
    expect(targets).toHaveLength(5);
  }, 180_000);
});
