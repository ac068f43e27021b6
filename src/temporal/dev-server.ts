import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../logging/logger.js';
import { childEnvironment } from '../shared/child-env.js';
import { devServerSearchAttributeFlags } from './search-attributes.js';

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file: state (schedules, histories, watermarks) survives restarts of `start`. */
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  logger: Logger;
  /** Extra `start-dev` flags, for example `--ui-codec-endpoint`. */
  extraArgs?: string[];
  startupTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Runs `temporal server start-dev` as a child process that dies with us. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { cliPath, dbFile, port, uiPort, namespace, logger } = options;
  if (await portOpen(port)) {
    throw new Error(
      `port ${port} is already in use: stop the other Temporal server, or set TEMPORAL_ADDRESS=127.0.0.1:${port} to use it`,
    );
  }
  mkdirSync(dirname(dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--db-filename',
    dbFile,
    '--log-level',
    'warn',
    '--log-format',
    'json',
    ...devServerSearchAttributeFlags(),
    ...(options.extraArgs ?? []),
  ];
  logger.info({ cliPath, port, uiPort, dbFile }, 'starting embedded Temporal dev server');
  // Only what the CLI needs: the connector's secrets must not be readable in the child's environ.
  const child = spawn(cliPath, args, { env: childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
      logger.info({ temporal: line.slice(0, 2000) }, 'temporal dev server');
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  // If we die without a clean stop, take the server down too: no orphans.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + (options.startupTimeoutMs ?? 60_000);
  while (!(await portOpen(port))) {
    if (exited) throw new Error(`temporal dev server exited during start-up (see the log lines above)`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`temporal dev server did not open port ${port} in time`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    process: child,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}
