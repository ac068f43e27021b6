import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { projectRoot } from '../../src/shared/paths.js';

// The layer rule as `npm run lint` runs it: the repository's own eslint.config.js, through ESLint's API.
const root = projectRoot();
const eslint = new ESLint({ cwd: root });
const RULE = 'layers/imports-point-down';

/** The layer rule's messages for `code` as if it were the file at `file` (which need not exist). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result!.messages.filter((m) => m.ruleId === RULE && m.severity === 2).map((m) => m.message);
}

describe('imports point down the layer table (npm run lint)', () => {
  it.each([
    [
      'src/domain/customers/x.ts',
      "import { createCustomerActivities } from '../../activities/customers.js';",
    ],
    ['src/domain/x.ts', "import type { CustomerActivities } from '../activities/customers.js';"],
    ['src/sage300/x.ts', "import { MailchimpClient } from '../mailchimp/client.js';"],
    ['src/config/x.ts', "import { createLogger } from '../logging/logger.js';"],
    ['src/shared/x.ts', "export * from '../config/index.js';"],
    ['src/temporal/x.ts', "export { mapCustomer } from '../domain/customers/mapping.js';"],
    ['src/worker/x.ts', "const load = () => import('../starter/main-job.js');"],
    ['src/starter/x.ts', "import { runChecks } from '../check/run-checks.js';"],
    ['src/workflows/x.ts', "import { createCustomerActivities } from '../activities/customers.js';"],
    ['src/domain/x.ts', "import { startSage300Simulator } from '../../simulators/sage300/index.js';"],
    ['simulators/mailchimp/x.ts', "import { loadConfig } from '../../src/config/index.js';"],
    ['simulators/mailchimp/x.ts', "import { startSage300Simulator } from '../sage300/index.js';"],
    ['src/activities/x.ts', "import { helper } from '../../test/helpers/temporal.js';"],
    ['src/newfolder/x.ts', "import { createLimiter } from '../shared/concurrency.js';"],
  ])('%s: %s is an error', async (file, code) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/ may not import /);
  });

  it('names both folders and the table in its message', async () => {
    expect(await layerErrors('src/domain/x.ts', "import { a } from '../activities/customers.js';")).toEqual([
      'src/domain may not import src/activities: src/activities sits above src/domain in the layer table of eslint.config.js; imports point down only.',
    ]);
    expect(
      await layerErrors('src/workflows/x.ts', "import { a } from '../activities/customers.js';"),
    ).toEqual([
      'src/workflows may not import src/activities: only `import type` (activities run in the worker, not in the workflow sandbox).',
    ]);
  });

  it.each([
    ['src/activities/x.ts', "import { mapCustomer } from '../domain/customers/mapping.js';"],
    ['src/activities/x.ts', "import { Sage300Client } from '../sage300/client.js';"],
    ['src/workflows/x.ts', "import type { CustomerActivities } from '../activities/customers.js';"],
    ['src/workflows/x.ts', "import { SA } from '../temporal/search-attributes.js';"],
    ['src/temporal/x.ts', "import { EncryptionCodec } from '../security/payload-codec.js';"],
    ['src/logging/x.ts', "import type { AppConfig } from '../config/index.js';"],
    ['src/cli/commands/x.ts', "import { startMainJob } from '../../starter/main-job.js';"],
    ['src/starter/x.ts', "const sim = await import('../../simulators/sage300/index.js');"],
    [
      'src/cli/commands/x.ts',
      "import { startMailchimpSimulator } from '../../../simulators/mailchimp/index.js';",
    ],
    ['simulators/sage300/x.ts', "import { createLimiter } from '../../src/shared/concurrency.js';"],
    ['simulators/sage300/x.ts', "import { generate } from './generate.js';"],
    ['src/domain/orders/x.ts', "import { chooseEmail } from '../customers/mapping.js';"],
    ['test/x.test.ts', "import { createCustomerActivities } from '../src/activities/customers.js';"],
    ['bench/x.ts', "import { startSage300Simulator } from '../simulators/sage300/index.js';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });

  it('finds no back-edge in the real tree', async () => {
    const results = await eslint.lintFiles(['src', 'simulators']);
    expect(results.length).toBeGreaterThan(100);
    const violations = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === RULE).map((m) => `${r.filePath}:${m.line} ${m.message}`),
    );
    expect(violations).toEqual([]);
  });
});
