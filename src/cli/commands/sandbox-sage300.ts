import type { CliContext } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../command.js';
import { waitForShutdownSignal } from '../../shared/signals.js';
import { startSage300Simulator } from '../../../simulators/sage300/index.js';

export const SAGE300_SANDBOX_USAGE =
  'ml-connector sandbox sage300 [--port N] [--host ADDR] [--seed S] [--customers N] [--orders N] [--items N] ' +
  '[--page-size N] [--company ID] [--user ID] [--password P] [--password-mode legacy-uppercase|exact] [--no-next-link]';

function whole(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`--${name} must be a whole number >= ${min}`);
  return Number(value);
}

/** Runs the simulator until SIGINT/SIGTERM, printing what a user needs to point the connector at it. */
export async function runSage300Sandbox(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    customers: { type: 'string' },
    orders: { type: 'string' },
    items: { type: 'string' },
    'page-size': { type: 'string' },
    company: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    'password-mode': { type: 'string' },
    'no-next-link': { type: 'boolean' },
  });
  const mode = values['password-mode'];
  if (mode !== undefined && mode !== 'legacy-uppercase' && mode !== 'exact') {
    throw new UsageError('--password-mode must be legacy-uppercase or exact');
  }
  const sim = await startSage300Simulator({
    port: whole('port', values.port) ?? 0,
    host: values.host,
    seed: whole('seed', values.seed),
    customers: whole('customers', values.customers),
    orders: whole('orders', values.orders),
    items: whole('items', values.items),
    pageSize: whole('page-size', values['page-size'], 1),
    company: values.company,
    username: values.user,
    password: values.password,
    passwordMode: mode,
    nextLink: values['no-next-link'] ? false : undefined,
  });
  ctx.out(`Sage 300 simulator listening`);
  ctx.out(`SAGE300_BASE_URL=${sim.baseUrl}`);
  ctx.out(`SAGE300_COMPANY=${sim.company}`);
  ctx.out(`SAGE300_USERNAME=${sim.username}`);
  ctx.out(`SAGE300_PASSWORD=${sim.password}`);
  if (mode === 'exact') ctx.out('SAGE300_PRESERVE_PASSWORD_CASE=true');
  ctx.out(
    `(${sim.data.tables.ARCustomers.size} customers, ${sim.data.tables.OEOrders.size} orders, ${sim.data.tables.ICItems.size} items; Ctrl-C stops)`,
  );
  await waitForShutdownSignal();
  await sim.stop();
  return 0;
}
