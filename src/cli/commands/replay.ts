import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { connectCommandClient } from '../../starter/connect.js';
import { replayJob } from '../../starter/replay.js';
import { followJob } from '../../starter/follow.js';
import { exitCodeOf, outcomeJson, printOutcome, refusedAsBusy, waitForRunningJob } from './sync.js';

export const command: Command = {
  summary: 'Re-send exactly the records that failed in a job, as a new job linked to it.',
  usage: 'ml-connector replay <jobId> [--wait] [--json]',
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { wait: { type: 'boolean' }, json: { type: 'boolean' } },
      true,
    );
    const [jobId] = positionals;
    if (!jobId || positionals.length > 1) throw new UsageError('name one job ID');
    const config = await ctx.config();
    const client = await connectCommandClient(config);
    try {
      const started = await replayJob(client, jobId, {
        taskQueue: config.temporal.taskQueue,
        ...waitForRunningJob(values.wait),
      });
      if (!started) {
        ctx.out(
          values.json
            ? JSON.stringify({ replayOf: jobId, status: 'nothing-to-replay' })
            : `${jobId}: no failed records, nothing to replay`,
        );
        return 0;
      }
      if (!values.wait) {
        ctx.out(
          values.json
            ? JSON.stringify({
                jobId: started.handle.workflowId,
                replayOf: jobId,
                keys: started.keys.length,
                status: 'started',
              })
            : `started ${started.handle.workflowId}: re-sending ${started.keys.length} record(s) of ${jobId}`,
        );
        return 0;
      }
      const outcome = await followJob(started.handle, started.stream, {
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      if (values.json) ctx.out(outcomeJson(outcome));
      else printOutcome(outcome, (l) => ctx.out(l));
      return exitCodeOf(outcome);
    } catch (err) {
      return refusedAsBusy(err, (l) => process.stderr.write(`${l}\n`), values.json);
    } finally {
      await client.connection.close();
    }
  },
};
