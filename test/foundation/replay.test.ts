import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { defaultWorkflowsPath } from '../../src/worker/worker.js';
import { HISTORY_FIXTURES_DIR } from '../helpers/histories.js';

// Histories recorded from real runs are replayed against today's workflow code: a change that would
// break running workflows fails here, not in production. Released versions keep their own folder
// (v0.1.0/, recorded from that release's code, complete runs and runs cut mid-way); those files are
// never re-recorded. The top-level files are recorded from the current code (RECORD_HISTORIES=1).
const fixtures = readdirSync(HISTORY_FIXTURES_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json') && !f.endsWith('manifest.json'))
  .sort();

function loadHistory(file: string) {
  return historyFromJSON(JSON.parse(readFileSync(join(HISTORY_FIXTURES_DIR, file), 'utf8')));
}

describe('determinism: recorded histories replay against the current workflow code', () => {
  it('has recorded histories to replay, including every released version', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    // 0.1.0 is released: its histories (complete and cut mid-run) replay forever.
    expect(fixtures.filter((f) => f.startsWith('v0.1.0')).length).toBeGreaterThanOrEqual(26);
  });

  it.each(fixtures)('%s replays without nondeterminism', async (file) => {
    const history = loadHistory(file);
    expect(history.events?.length).toBeGreaterThan(3);
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: defaultWorkflowsPath() },
        history,
        file.replace(/\.json$/, '').replace(/[\\/]/g, '-'),
      ),
    ).resolves.toBeUndefined();
  });
});
