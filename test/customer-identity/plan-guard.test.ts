import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startHarness, type SyncHarness } from '../sync-customers/harness.js';
import { memoryLogger } from '../helpers/logger.js';
import { testConfig } from '../helpers/config.js';
import { testServerAddress } from '../helpers/temporal.js';
import { command as syncCommand } from '../../src/cli/commands/sync.js';
import { command as auditCommand } from '../../src/cli/commands/audit.js';
import type { Command, CliContext } from '../../src/cli/command.js';
import type { SyncPlan } from '../../src/domain/sync-plan.js';
import { PLAN_REFUSED } from '../../src/workflows/plan.js';
import type { SyncJobResult } from '../../src/workflows/types.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

describe('pre-flight plan and blast-radius guard', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 24, sagePageSize: 10, encrypted: true });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  /** `ml-connector sync <argv>` (or another command) in this process, against the test's Temporal and simulators. */
  async function cli(
    argv: string[],
    command: Command = syncCommand,
  ): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    const config = testConfig({
      ...h.vars,
      SAGE300_COMPANY: h.company,
      TEMPORAL_ADDRESS: testServerAddress(),
    });
    const ctx: CliContext = {
      config: async () => config,
      logger: () => memoryLogger().logger,
      out: (l) => lines.push(l),
    };
    return { code: await command.run(argv, ctx), lines };
  }

  /** Mailchimp requests since `from` other than reads. */
  const writesSince = (from: number) => (h.mc.stats.log ?? []).slice(from).filter((r) => r.method !== 'GET');

  it('--plan writes nothing and counts what the run then does', async () => {
    expect((await h.runJob({ full: true })).status).toMatch(/^completed/);
    const members = h.mc.state.members(h.listId);
    const [a, b] = members.map((m) => String(m.mergeFields.SAGECUST));
    h.sage.data.editCustomer(a!, { CustomerName: 'Renamed Hardware Ltd' });
    h.sage.data.editCustomer(b!, { Email: 'new.desk@example.com' });

    const from = (h.mc.stats.log ?? []).length;
    const { code, lines } = await cli(['customers', '--plan', '--json']);
    expect(code).toBe(0);
    expect(writesSince(from)).toEqual([]);
    const plan = JSON.parse(lines[0]!) as SyncPlan & { jobId: string };
    expect(plan.jobId).toMatch(new RegExp(`^plan-customers-${h.company}-manual-`));
    expect(plan.create).toBe(0);
    expect(plan.emailChanges).toBe(1);
    expect(plan.changed).toBe(2);
    expect(plan.statusChanges).toBe(0);
    expect(plan.fields.email).toBe(1);
    expect(JSON.stringify(plan)).not.toContain('new.desk@example.com');
    const human = await cli(['customers', '--plan']);
    expect(human.lines.join('\n')).toMatch(/email changes:\s+1/);

    const run = await h.runJob({});
    // Mailchimp's PUT does not say whether it created or updated: the run tells them apart from the
    // member's timestamps, which at one-second precision can call a member written in the second it
    // was created "created" again (src/mailchimp/members.ts memberAction). The writes and the
    // audience's size are exact.
    expect(run.counts.created + run.counts.updated).toBe(plan.create + plan.update);
    expect(run.counts.unchanged).toBe(plan.unchanged);
    expect(h.mc.state.members(h.listId)).toHaveLength(members.length + plan.create);
  });

  it('refuses a scheduled run after a bad import, with its plan, and the documented command accepts it', async () => {
    const before = h.mc.state.members(h.listId);
    for (const m of before)
      h.sage.data.editCustomer(String(m.mergeFields.SAGECUST), {
        CustomerName: `Imported ${m.mergeFields.SAGECUST}`,
      });

    const from = (h.mc.stats.log ?? []).length;
    const refusedId = `customers-${h.company}-schedule-2026-11-28T02:00:00Z`;
    const err = await h.runJob({ trigger: 'schedule' }, refusedId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(PLAN_REFUSED);
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain(`npx ml-connector sync customers --accept-plan ${refusedId}`);
    const plan = cause.details?.[0] as SyncPlan;
    expect(plan.changed).toBe(before.length);
    expect(plan.existing).toBe(before.length);
    expect(plan.create).toBe(0);
    expect(plan.fields.COMPANY).toBe(before.length);
    expect(writesSince(from)).toEqual([]);
    expect(h.mc.state.members(h.listId).map((m) => m.mergeFields.COMPANY)).toEqual(
      before.map((m) => m.mergeFields.COMPANY),
    );

    // The refused plan is part of the job's audit trail: its counts, not only the refusal.
    const audit = await cli([refusedId], auditCommand);
    expect(audit.code).toBe(0);
    const shown = audit.lines.join('\n');
    expect(shown).toContain('refused plan:');
    expect(shown).toMatch(
      new RegExp(`members whose fields change: ${before.length} \\(100% of ${before.length}\\)`),
    );
    expect(shown).toMatch(/members to create:\s+0/);
    expect(shown).toMatch(/email changes:\s+0/);
    expect(shown).toMatch(/status changes:\s+0/);
    expect(shown).toMatch(/archives:\s+0/);
    expect(shown).toContain(`most-changed fields: COMPANY ${before.length}`);
    const trail = JSON.parse((await cli([refusedId, '--json'], auditCommand)).lines[0]!) as {
      plan?: SyncPlan;
    };
    expect(trail.plan).toMatchObject({ changed: before.length, existing: before.length, create: 0 });

    const { code, lines } = await cli(['customers', '--accept-plan', refusedId, '--wait', '--json']);
    expect(code).toBe(0);
    const outcome = JSON.parse(lines.at(-1)!) as { jobId: string; updated: number };
    expect(outcome.updated).toBe(before.length);
    const result = (await h.t.client.workflow.getHandle(outcome.jobId).result()) as SyncJobResult;
    expect(result.acceptPlanOf).toBe(refusedId);
    for (const m of h.mc.state.members(h.listId))
      expect(m.mergeFields.COMPANY).toBe(`Imported ${m.mergeFields.SAGECUST}`);
  });
});
