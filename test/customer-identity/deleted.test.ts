import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from '../sync-customers/harness.js';
import { expectedMembers } from '../sync-customers/expected.js';
import { reconcileCustomers } from '../../src/workflows/index.js';
import { DELETED_TAG } from '../../src/activities/reconcile-customers.js';
import { startCustomerReconciliation } from '../../src/starter/reconcile.js';
import type { ReconcileCustomersResult } from '../../src/workflows/reconcile-customers-job.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

describe('customers deleted in Sage', () => {
  let h: SyncHarness;
  let worker: Awaited<ReturnType<SyncHarness['startWorker']>>;
  beforeAll(async () => {
    h = await startHarness({ customers: 24, sagePageSize: 10 });
    worker = await h.startWorker();
  });
  afterAll(async () => h?.stop());

  const reconcile = async (): Promise<ReconcileCustomersResult> =>
    (
      await startCustomerReconciliation(
        h.t.client,
        { company: h.company, trigger: 'manual' },
        { taskQueue: h.t.taskQueue },
      )
    ).result();

  it('tag the member of a deleted customer (or archive it under that policy) and touch no other member', async () => {
    expect(reconcileCustomers).toBeDefined(); // registered with the worker bundle
    const expected = [...expectedMembers(h.sage.data.customers()).members].map(([email, m]) => ({
      email,
      key: m.key,
    }));
    expect((await h.runJob({ full: true })).status).toMatch(/^completed/);
    // A contact the connector never wrote (no customer number): never touched.
    h.mc.state.seedMember(h.listId, { email: 'walk.in@maplehardware.com', status: 'subscribed' });
    const snapshot = () =>
      JSON.stringify(
        h.mc.state
          .members(h.listId)
          .filter((m) => m.email !== gone!.email && m.email !== archivedLater!.email),
      );
    const [gone, archivedLater] = expected;
    h.sage.data.deleteCustomer(gone!.key);
    const before = snapshot();

    const tagged = await reconcile();
    expect(tagged).toMatchObject({ policy: 'tag', gone: 1, tagged: 1, archived: 0, failed: [] });
    expect(tagged.ownedMembers).toBe(expected.length);
    expect(h.mc.state.member(h.listId, gone!.email)?.tags).toContain(DELETED_TAG);
    expect(h.mc.state.member(h.listId, gone!.email)?.status).toBe('transactional');
    expect(snapshot()).toBe(before);

    worker.worker.shutdown();
    await worker.running;
    worker = await h.startWorker({ SYNC_CUSTOMER_DELETED: 'archive' });
    h.sage.data.deleteCustomer(archivedLater!.key);
    const archived = await reconcile();
    expect(archived).toMatchObject({ policy: 'archive', gone: 2, archived: 2, failed: [] });
    expect(h.mc.state.member(h.listId, archivedLater!.email)?.status).toBe('archived');
    expect(h.mc.state.member(h.listId, gone!.email)?.status).toBe('archived');
    expect(snapshot()).toBe(before);

    // Run again: archived members are left as they are.
    expect(await reconcile()).toMatchObject({ gone: 2, archived: 0, alreadyArchived: 2 });
  });
});
