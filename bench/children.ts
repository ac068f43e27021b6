import { fork, type ChildProcess } from 'node:child_process';
import { siblingModule } from '../src/shared/paths.js';
import type { MailchimpSimulatorOptions, MemberStatus, SeedMember } from '../simulators/mailchimp/index.js';
import type { Sage300SimulatorOptions } from '../simulators/sage300/index.js';
import { benchCosts, REAL_ROUND_TRIP_MS } from './cost-model.js';

/**
 * A simulator in a process of its own, spoken to over IPC: `{ kind, ...payload }` messages, one
 * answer per request with the same kind. The benchmark then measures the connector's process, not
 * the simulators sharing its event loop and heap (the real services are remote too).
 */
export interface SimulatorChild {
  ready: Record<string, unknown>;
  request<T = Record<string, unknown>>(kind: string, payload?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export async function forkSimulator(
  module: string,
  options: unknown,
  opts: { maxOldSpaceMb?: number } = {},
): Promise<SimulatorChild> {
  const child: ChildProcess = fork(siblingModule(import.meta.url, module), [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // A million members and orders outgrow V8's default heap limit in the simulator (not the connector).
    execArgv: opts.maxOldSpaceMb ? [`--max-old-space-size=${opts.maxOldSpaceMb}`] : [],
  });
  const next = (kind: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${module} exited (${code})`));
      const onMessage = (m: Record<string, unknown>) => {
        if (m?.kind !== kind) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (typeof m.error === 'string') reject(new Error(`${module}: ${m.error}`));
        else resolve(m);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  return {
    ready,
    async request<T>(kind: string, payload: Record<string, unknown> = {}) {
      const reply = next(kind);
      child.send({ kind, ...payload });
      return (await reply) as T;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ kind: 'stop' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      child.kill('SIGKILL');
    },
  };
}

/** Answers the parent's requests in a simulator child; a handler's error goes back as `{ error }`. */
export function serveParent(handlers: Record<string, (m: Record<string, unknown>) => unknown>): void {
  process.on('message', (m: Record<string, unknown>) => {
    const kind = String(m?.kind);
    const handler = handlers[kind];
    if (!handler) return;
    void Promise.resolve()
      .then(() => handler(m))
      .then(
        (answer) => process.send?.({ kind, ...(answer as object) }),
        (err: Error) => process.send?.({ kind, error: err.message }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

export interface MailchimpStats {
  requests: number;
  maxConcurrent: number;
  rejected429: number;
  /** The simulator process's RSS. */
  rss: number;
}

export interface MailchimpChild {
  apiUrl: string;
  apiKey: string;
  /** The audience the connector writes to, and one for the naive writer. */
  lists: [string, string];
  /** The simulator's settings as it started (latency, bulk costs), for the report. */
  settings: Record<string, unknown>;
  stats(): Promise<MailchimpStats>;
  seed(listId: string, members: SeedMember[]): Promise<void>;
  /** Each address's member status, null where there is no member. */
  statuses(listId: string, emails: string[]): Promise<Array<MemberStatus | null>>;
  stop(): Promise<void>;
}

export async function startMailchimpChild(
  options: MailchimpSimulatorOptions,
  opts: { maxOldSpaceMb?: number } = {},
): Promise<MailchimpChild> {
  // Every benchmark's Mailchimp starts here: its bulk costs scale with its latency (cost-model.ts).
  const { bulkPerMemberMs, batchItemLatencyMs } = benchCosts(options.latencyMs ?? REAL_ROUND_TRIP_MS);
  const child = await forkSimulator(
    './mailchimp-child',
    { bulkPerMemberMs, batchItemLatencyMs, ...options },
    opts,
  );
  const r = child.ready;
  return {
    apiUrl: r.apiUrl as string,
    apiKey: r.apiKey as string,
    lists: r.lists as [string, string],
    settings: r.settings as Record<string, unknown>,
    stats: () => child.request<MailchimpStats>('stats'),
    async seed(listId, members) {
      await child.request('seed', { listId, members });
    },
    async statuses(listId, emails) {
      return (await child.request<{ statuses: Array<MemberStatus | null> }>('statuses', { listId, emails }))
        .statuses;
    },
    stop: () => child.stop(),
  };
}

export interface Sage300Child {
  baseUrl: string;
  company: string;
  username: string;
  password: string;
  /** Rows in ARCustomers and OEOrders when it started. */
  customers: number;
  orders: number;
  stats(): Promise<{ requests: number; rowsServed: Record<string, number>; rss: number }>;
  /** Customer rows at positions from, from + step, ... */
  customerRows(from: number, count: number, step?: number): Promise<Array<Record<string, unknown>>>;
  /** See changes.ts. */
  changeOnePercent(opts: {
    emailEvery?: number;
  }): Promise<{ changed: string[]; moved: Array<[string, string]> }>;
  stop(): Promise<void>;
}

export async function startSage300Child(
  options: Sage300SimulatorOptions,
  opts: { maxOldSpaceMb?: number } = {},
): Promise<Sage300Child> {
  const child = await forkSimulator('./sage300-child', options, opts);
  const r = child.ready;
  return {
    baseUrl: r.baseUrl as string,
    company: r.company as string,
    username: r.username as string,
    password: r.password as string,
    customers: r.customers as number,
    orders: r.orders as number,
    stats: () => child.request('stats'),
    async customerRows(from, count, step = 1) {
      return (
        await child.request<{ rows: Array<Record<string, unknown>> }>('customers', { from, count, step })
      ).rows;
    },
    changeOnePercent: (o) => child.request('changeOnePercent', o),
    stop: () => child.stop(),
  };
}
