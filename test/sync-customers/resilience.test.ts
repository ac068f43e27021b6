import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { eventually, readMembers } from './members.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { customerSync } from '../../src/workflows/index.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(180_000);

async function assertExactMembers(h: SyncHarness): Promise<void> {
  const expected = expectedMembers(h.sage.data.customers());
  const members = await readMembers(h);
  const emails = members.map((m) => m.email_address.toLowerCase());
  expect(new Set(emails).size).toBe(emails.length);
  expect(new Set(emails)).toEqual(new Set(expected.members.keys()));
  for (const m of members) {
    expect(m.merge_fields.SAGECUST).toBe(expected.members.get(m.email_address.toLowerCase())!.key);
  }
}

describe('customerSync survives crashes and faults', () => {
  let h: SyncHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('a worker shut down mid-job is replaced and the job finishes with nothing lost or doubled', async () => {
    h = await startHarness({ customers: 150, sagePageSize: 10 });
    h.mc.settings.latencyMs = 60;
    const first = await h.startWorker();
    const handle = await h.t.client.workflow.start(customerSync, {
      taskQueue: h.t.taskQueue,
      workflowId: `customers-${h.company}-20261127T100000Z-manual`,
      args: [{ stream: 'customers', company: h.company, trigger: 'manual', full: true }],
    });
    await eventually(async () => {
      const p = await handle.query(progressQuery);
      return p.counts.read >= 40 ? p : undefined;
    });
    first.worker.shutdown();
    await first.running;
    const midway = h.mc.stats.requests;
    await h.startWorker();
    const result = await handle.result();
    expect(h.mc.stats.requests).toBeGreaterThan(midway);
    const rows = h.sage.data.customers();
    const expected = expectedMembers(rows);
    expect(result.status).toBe(expected.rejected.size > 0 ? 'completed_with_failures' : 'completed');
    expect(result.counts.read).toBe(rows.length);
    expect(result.counts.skipped).toBe(expected.skipped.size + expected.duplicates.size);
    expect(result.counts.failed).toBe(expected.rejected.size);
    expect(result.counts.created + result.counts.updated).toBe(expected.members.size);
    await assertExactMembers(h);
  }, 120_000);

  it('absorbs 429s, 500s and hung requests from Sage and Mailchimp', async () => {
    h = await startHarness({ customers: 60, sagePageSize: 20 });
    h.sage.faults.set({ errorRate: 0.2, errorStatuses: [429, 500, 503], hangRate: 0.05 });
    h.mc.faults.set({ errorRate: 0.15, errorStatuses: [429, 500, 503], hangRate: 0.02 });
    await h.startWorker();
    const result = await h.runJob({ full: true });
    const expected = expectedMembers(h.sage.data.customers());
    expect(result.status).toBe(expected.rejected.size > 0 ? 'completed_with_failures' : 'completed');
    expect(result.counts.failed).toBe(expected.rejected.size);
    h.sage.faults.clear();
    h.mc.faults.clear();
    await assertExactMembers(h);
  }, 180_000);
});
