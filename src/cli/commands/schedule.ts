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
        const schedules = await listSchedules(client);
        if (values.json) ctx.out(JSON.stringify(schedules));
        else if (schedules.length === 0) ctx.out('no schedules (run: ml-connector schedule apply)');
        else
          for (const s of schedules) {
            ctx.out(
              `${s.scheduleId}  ${s.paused ? 'PAUSED' : 'active'}  next: ${s.nextRuns.map((d) => d.toISOString()).join(', ') || '-'}${s.note ? `  note: ${s.note}` : ''}`,
            );
          }
        return 0;
      }
      if (!target)
        throw new UsageError(`${action} needs a schedule: customers, orders, reconcile or a schedule ID`);
      const id = resolveScheduleId(target, config.sage300.company ?? '');
      if (action === 'pause') await pauseSchedule(client, id, values.note);
      else if (action === 'resume') await resumeSchedule(client, id, values.note);
      else if (action === 'trigger') await triggerSchedule(client, id);
      else await deleteSchedule(client, id);
      ctx.out(`${action} ${id}: done`);
      return 0;
    } finally {
      await client.connection.close();
    }
  },
};
