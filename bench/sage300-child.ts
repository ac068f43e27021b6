import { startSage300Simulator, type Sage300SimulatorOptions } from '../simulators/sage300/index.js';
import { changeOnePercent } from './changes.js';
import { serveParent } from './children.js';

// The Sage simulator in a process of its own (see children.ts). Its tables are lazy: a million
// customers and orders are made row by row as pages ask for them.
const options = JSON.parse(process.argv[2] ?? '{}') as Sage300SimulatorOptions;
const sim = await startSage300Simulator(options);
const tables = sim.data.tables;
serveParent({
  stats: () => ({ requests: sim.requestCount, rowsServed: sim.rowsServed, rss: process.memoryUsage.rss() }),
  /** Rows at positions from, from + step, ... (count of them), for the benchmark's own use. */
  customers: (m) => {
    const from = Number(m.from ?? 0);
    const step = Number(m.step ?? 1);
    const rows = [];
    for (let p = from, k = 0; k < Number(m.count) && p < tables.ARCustomers.size; p += step, k++)
      rows.push(tables.ARCustomers.at(p));
    return { rows };
  },
  changeOnePercent: (m) => changeOnePercent(sim.data, { emailEvery: Number(m.emailEvery ?? 0) }),
  stop: () => sim.stop().then(() => process.exit(0)),
});
process.send?.({
  kind: 'ready',
  baseUrl: sim.baseUrl,
  company: sim.company,
  username: sim.username,
  password: sim.password,
  customers: tables.ARCustomers.size,
  orders: tables.OEOrders.size,
});
