import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { requireTemporalCli } from '../../src/temporal/cli-path.js';
import { testServerAddress } from './temporal.js';

export const HISTORY_FIXTURES_DIR = join(process.cwd(), 'test', 'fixtures', 'histories');

/**
 * With RECORD_HISTORIES=1, saves a finished workflow's history as a replay fixture, exported the
 * way an operator would (`temporal workflow show -o json`). Record fixtures from runs without the
 * payload codec so the determinism check needs no key.
 */
export async function maybeRecordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const json = execFileSync(
    requireTemporalCli(),
    [
      'workflow',
      'show',
      '--address',
      testServerAddress(),
      '--workflow-id',
      handle.workflowId,
      '--output',
      'json',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  mkdirSync(HISTORY_FIXTURES_DIR, { recursive: true });
  writeFileSync(join(HISTORY_FIXTURES_DIR, `${name}.json`), json);
}
