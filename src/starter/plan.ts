import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type SearchAttributePair } from '@temporalio/common';
import { percentOf, topFields, type SyncPlan } from '../domain/sync-plan.js';
import { SA } from '../temporal/search-attributes.js';
import { jobId as makeJobId } from '../workflows/job-id.js';
import { PLAN_REFUSED } from '../workflows/plan.js';
import type { SyncJobInput } from '../workflows/types.js';
import { startMemo } from './start-job.js';

/** `plan-customers-SAMINC-manual-2026-11-27T14:30:00Z`: a plan is a job of its own. */
export function planJobId(input: Pick<SyncJobInput, 'stream' | 'company' | 'trigger'>, at: Date): string {
  return `plan-${makeJobId(input.stream, input.company, at, input.trigger)}`;
}

/** Starts `sync --plan`'s job (nothing written) and waits for its plan. */
export async function runPlanJob(
  client: Client,
  input: SyncJobInput,
  options: { taskQueue: string; at?: Date },
): Promise<{ jobId: string; plan: SyncPlan }> {
  const workflowId = planJobId(input, options.at ?? new Date());
  const attributes: SearchAttributePair[] = [
    { key: SA.stream, value: input.stream },
    { key: SA.company, value: input.company },
    { key: SA.trigger, value: input.trigger },
  ];
  const handle = await client.workflow.start<(i: SyncJobInput) => Promise<SyncPlan>>('syncPlan', {
    taskQueue: options.taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: attributes,
    memo: { ...startMemo(input), plan: true },
  });
  return { jobId: workflowId, plan: await handle.result() };
}

/** The plan a job was refused with, from its failure (docs/customer-sync.md, "Blast-radius guard"). */
export async function refusedPlan(client: Client, jobId: string): Promise<SyncPlan | undefined> {
  try {
    await client.workflow.getHandle(jobId).result();
    return undefined;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (!(cause instanceof ApplicationFailure) || cause.type !== PLAN_REFUSED) return undefined;
    return cause.details?.[0] as SyncPlan | undefined;
  }
}

/** A plan as a person reads it. */
export function formatPlan(plan: SyncPlan): string[] {
  const pct = (n: number) =>
    plan.existing > 0 ? ` (${percentOf(n, plan.existing)}% of ${plan.existing})` : '';
  const lines =
    plan.stream === 'customers'
      ? [
          `plan for customers of ${plan.company}: ${plan.read} read from Sage 300, nothing written`,
          `  members to create:        ${plan.create}`,
          `  members whose fields change: ${plan.changed}${pct(plan.changed)}`,
          `  members written unchanged: ${plan.update - plan.changed}`,
          `  email changes:            ${plan.emailChanges}`,
          `  archives:                 ${plan.archives}`,
          `  status changes:           ${plan.statusChanges}`,
          `  unchanged ${plan.unchanged}, skipped ${plan.skipped}, failed ${plan.failed}`,
        ]
      : [
          `plan for orders of ${plan.company}: ${plan.read} read from Sage 300, nothing written`,
          `  orders to create:         ${plan.create}`,
          `  orders to update:         ${plan.changed}${pct(plan.changed)}`,
          `  revenue delta:            ${
            Object.entries(plan.revenueDelta ?? {})
              .map(([currency, amount]) => `${amount.toFixed(2)} ${currency}`)
              .join(', ') || '0.00'
          }`,
          `  unchanged ${plan.unchanged}, skipped ${plan.skipped}, failed ${plan.failed}`,
        ];
  const top = topFields(plan);
  if (top.length > 0) lines.push(`  most-changed fields: ${top.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  for (const s of plan.samples)
    lines.push(
      `  e.g. ${s.action} ${s.key}${s.email ? ` ${s.email}` : ''}${s.fields?.length ? `: ${s.fields.join(', ')}` : ''}`,
    );
  return lines;
}
