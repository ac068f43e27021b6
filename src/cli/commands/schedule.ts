import { ScheduleNotFoundError } from '@temporalio/client';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { connectCommandClient, requireCompany } from '../../starter/connect.js';
import {
  applySchedules,
  deleteSchedule,
  listSchedules,
  pauseSchedule,
  resolveScheduleId,
  resumeSchedule,
  triggerSchedule,
} from '../../starter/schedules.js';
import { isSyncStream } from '../../workflows/types.js';

const ACTIONS = ['apply', 'list', 'pause', 'resume', 'trigger', 'delete'] as const;

export const command: Command = {
  summary:
    'Manage the customer, order and reconciliation schedules in Temporal (apply from config, list, pause, resume, trigger, delete).',
  usage:
    'ml-connector schedule apply | list [--json] | pause|resume|trigger|delete <customers|orders|reconcile|SCHEDULE_ID> [--note TEXT]',
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { json: { type: 'boolean' }, note: { type: 'string' } },
      true,
    );
    const [action, target] = positionals;
    if (!action || !(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(`name an action: ${ACTIONS.join(', ')}`);
    }
    const config = await ctx.config();
    const client = await connectCommandClient(config);
    try {
      if (action === 'apply') {
        for (const a of await applySchedules(client, config, requireCompany(config))) {
          ctx.out(`${a.action} ${a.scheduleId}`);
        }
        return 0;
      }
      if (action === 'list') {
        const schedules = await listSchedules(client, config.sage300.company);
        if (values.json) ctx.out(JSON.stringify(schedules));
        else if (schedules.length === 0) ctx.out('no schedules (run: ml-connector schedule apply)');
        else {
          const width = Math.max(...schedules.map((s) => s.scheduleId.length));
          const sorted = [...schedules].sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
          for (const s of sorted) {
            const next = s.nextRuns.map((d) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
            ctx.out(
              `${s.scheduleId.padEnd(width)}  ${s.paused ? 'PAUSED' : 'active'}  next: ${next.join(', ') || '-'}${s.note ? `  note: ${s.note}` : ''}`,
            );
          }
        }
        return 0;
      }
      if (!target)
        throw new UsageError(`${action} needs a schedule: customers, orders, reconcile or a schedule ID`);
      // A stream names the schedule of the configured company (the sandbox's included).
      const byStream = target === 'reconcile' || isSyncStream(target);
      const id = resolveScheduleId(target, byStream ? requireCompany(config) : '');
      try {
        if (action === 'pause') await pauseSchedule(client, id, values.note);
        else if (action === 'resume') await resumeSchedule(client, id, values.note);
        else if (action === 'trigger') await triggerSchedule(client, id);
        else await deleteSchedule(client, id);
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
        throw new Error(`no schedule ${id} in Temporal: \`ml-connector schedule list\` shows them`);
      }
      ctx.out(`${action} ${id}: done`);
      return 0;
    } finally {
      await client.connection.close();
    }
  },
};
