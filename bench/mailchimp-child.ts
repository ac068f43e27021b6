import { startMailchimpSimulator, type MailchimpSimulatorOptions } from '../simulators/mailchimp/index.js';

// The Mailchimp simulator in a process of its own: the benchmark measures the connector's
// throughput, not the simulator's share of the same event loop (the real API is remote too).
const options = JSON.parse(process.argv[2] ?? '{}') as MailchimpSimulatorOptions;
const sim = await startMailchimpSimulator(options);
const lists = [sim.state.createList({ name: 'Bench' }), sim.state.createList({ name: 'Naive' })];
process.send?.({ kind: 'ready', apiUrl: sim.apiUrl, apiKey: sim.apiKey, lists });
process.on('message', (message: unknown) => {
  if (message === 'stats') process.send?.({ kind: 'stats', stats: sim.stats });
  if (message === 'stop') void sim.stop().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
