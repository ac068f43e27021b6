import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../logging/logger.js';
import { PortInUseError } from '../shared/http-server.js';
import { childEnvironment } from '../shared/child-env.js';
import { devServerSearchAttributeFlags } from './search-attributes.js';
import { forgetDevServerPid, recordDevServerPid, stopLeftoverDevServer } from './dev-server-pid.js';

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

/** Fails at once, naming the setting, when another program holds the port (no waiting on it). */
function assertPortFree(port: number, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError('127.0.0.1', port, setting) : err),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/**
 * On Linux, `setpriv --pdeathsig` has the kernel send the dev server SIGTERM when we die, even by
 * SIGKILL; elsewhere the pid file lets the next `start` find the orphan.
 */
function dieWithParent(): string[] {
  if (process.platform !== 'linux') return [];
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  return setpriv ? [setpriv, '--pdeathsig', 'TERM', '--'] : [];
}

/**
 * Runs `temporal server start-dev` as a child process that dies with us, its pid recorded next to
 * its database so a `start` that was killed can be cleaned up after by the next one.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { cliPath, dbFile, port, uiPort, namespace, logger } = options;
  mkdirSync(dirname(dbFile), { recursive: true });
  await stopLeftoverDevServer(dbFile, logger);
  await assertPortFree(port, 'TEMPORAL_DEV_SERVER_PORT');
  await assertPortFree(uiPort, 'TEMPORAL_UI_PORT');
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
  logger.debug({ cliPath, port, uiPort, dbFile }, 'starting embedded Temporal dev server');
  const [command, ...wrapper] = [...dieWithParent(), cliPath];
  // Only what the CLI needs: the connector's secrets must not be readable in the child's environ.
  const child = spawn(command!, [...wrapper, ...args], {
    env: childEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) recordDevServerPid(dbFile, child.pid);
  let lastLine = '';
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      lastLine = line.slice(0, 2000);
      // Its banner and its warnings (a dial error for each connection a stop cuts) are the server's
      // business: `start` says itself where the server and its UI are.
      logger.debug({ temporal: lastLine }, 'temporal dev server');
    }
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  let exited = false;
  child.once('error', (err) => ((exited = true), (lastLine = err.message)));
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      forgetDevServerPid(dbFile);
      resolve();
    }),
  );
  // If we die without a clean stop, take the server down too: no orphans.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + (options.startupTimeoutMs ?? 60_000);
  while (!(await portOpen(port))) {
    if (exited) throw new Error(`the Temporal dev server (${cliPath}) stopped while starting: ${lastLine}`);
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
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exitPromise;
        clearTimeout(timer);
      }
      // Only now: a process that exits while the server stops still takes it down.
      process.removeListener('exit', killOnExit);
    },
  };
}
