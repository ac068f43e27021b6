import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { defaultWorkflowsPath } from '../../src/worker/worker.js';
import { HISTORY_FIXTURES_DIR } from '../helpers/histories.js';

// Histories recorded from real runs (RECORD_HISTORIES=1 npm test) are replayed against today's
// workflow code: a change that would break running workflows fails here, not in production.
const fixtures = readdirSync(HISTORY_FIXTURES_DIR).filter((f) => f.endsWith('.json'));

function loadHistory(file: string) {
  return historyFromJSON(JSON.parse(readFileSync(join(HISTORY_FIXTURES_DIR, file), 'utf8')));
}

describe('determinism: recorded histories replay against the current workflow code', () => {
  it('has recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)('%s replays without nondeterminism', async (file) => {
    const history = loadHistory(file);
    expect(history.events?.length).toBeGreaterThan(3);
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: defaultWorkflowsPath() },
        history,
        file.replace(/\.json$/, ''),
      ),
    ).resolves.toBeUndefined();
  });
});
