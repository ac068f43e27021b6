#!/usr/bin/env node
// Bundles the workflow code of a released version, exactly as its worker ran it, so a test can run
// a job on the old code and finish it on today's (an upgrade with a job in flight).
//   node scripts/bundle-release-workflows.mjs <git-rev> <version>
// writes test/fixtures/releases/<version>/workflow-bundle.js. Run once per release; the output is
// committed and never regenerated (it is the released code, not the current one).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const [rev, version] = process.argv.slice(2);
if (!rev || !version) {
  process.stderr.write('usage: node scripts/bundle-release-workflows.mjs <git-rev> <version>\n');
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
// Inside the checkout, so the old sources resolve today's node_modules (same SDK version pinned).
const work = join(root, '.release-build', version);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
execFileSync('sh', ['-c', `git -C "${root}" archive "${rev}" src | tar -x -C "${work}"`]);
const { code } = await bundleWorkflowCode({
  workflowsPath: join(work, 'src', 'workflows', 'index.ts'),
  logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
});
const out = join(root, 'test', 'fixtures', 'releases', version);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'workflow-bundle.js'), code);
rmSync(work, { recursive: true, force: true });
process.stdout.write(`wrote ${join(out, 'workflow-bundle.js')} (${code.length} bytes) from ${rev}\n`);
