import { Sage300Client, type Sage300ClientOptions } from '../../src/sage300/client.js';
import {
  startSage300Simulator,
  type Sage300Simulator,
  type Sage300SimulatorOptions,
} from '../../simulators/sage300/index.js';

/** A simulator and a client logged in to it; retries are fast so fault tests stay quick. */
export async function startPair(
  simOptions: Sage300SimulatorOptions = {},
  clientOptions: Partial<Sage300ClientOptions> = {},
): Promise<{
  sim: Sage300Simulator;
  client: Sage300Client;
  clientFor(o: Partial<Sage300ClientOptions>): Sage300Client;
  stop(): Promise<void>;
}> {
  const sim = await startSage300Simulator({
    customers: 30,
    orders: 20,
    items: 10,
    today: '2026-11-27',
    ...simOptions,
  });
  const clients: Sage300Client[] = [];
  const clientFor = (o: Partial<Sage300ClientOptions>) => {
    const c = new Sage300Client({
      baseUrl: sim.baseUrl,
      company: sim.company,
      username: sim.username,
      password: sim.password,
      retry: { baseDelayMs: 5 },
      timeoutMs: 5_000,
      ...o,
    });
    clients.push(c);
    return c;
  };
  const client = clientFor(clientOptions);
  return {
    sim,
    client,
    clientFor,
    stop: async () => {
      for (const c of clients) c.close();
      await sim.stop();
    },
  };
}
