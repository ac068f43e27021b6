import {
  startMailchimpSimulator,
  type MailchimpSimulatorOptions,
  type SeedMember,
} from '../simulators/mailchimp/index.js';
import { serveParent } from './children.js';

// The Mailchimp simulator in a process of its own (see children.ts): the benchmark measures the
// connector's throughput, not the simulator's share of the same event loop (the real API is remote too).
const options = JSON.parse(process.argv[2] ?? '{}') as MailchimpSimulatorOptions;
const sim = await startMailchimpSimulator(options);
const lists = [sim.state.createList({ name: 'Bench' }), sim.state.createList({ name: 'Naive' })];
serveParent({
  // Not the request log: it would cross the pipe with every call.
  stats: () => ({
    requests: sim.stats.requests,
    maxConcurrent: sim.stats.maxConcurrent,
    rejected429: sim.stats.rejected429,
    rss: process.memoryUsage.rss(),
  }),
  seed: (m) => {
    for (const member of m.members as SeedMember[]) sim.state.seedMember(String(m.listId), member);
    return {};
  },
  statuses: (m) => ({
    statuses: (m.emails as string[]).map((e) => sim.state.member(String(m.listId), e)?.status ?? null),
  }),
  stop: () => sim.stop().then(() => process.exit(0)),
});
process.send?.({ kind: 'ready', apiUrl: sim.apiUrl, apiKey: sim.apiKey, lists, settings: sim.settings });
