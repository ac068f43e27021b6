import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../logging/logger.js';

/** Where `start` records the pid of its dev server: next to the dev server's database. */
export function devServerPidFile(dbFile: string): string {
  return join(dirname(dbFile), 'dev-server.pid');
}

export function recordDevServerPid(dbFile: string, pid: number): void {
  writeFileSync(devServerPidFile(dbFile), `${pid}\n`);
}

export function forgetDevServerPid(dbFile: string): void {
  rmSync(devServerPidFile(dbFile), { force: true });
}

function ps(pid: number, field: string): string | undefined {
  try {
    return (
      execFileSync('ps', ['-p', String(pid), '-o', `${field}=`], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** A live process's arguments (none for a zombie), from /proc or, off Linux, from `ps`. */
function commandLine(pid: number): string[] {
  if (process.platform !== 'linux') return ps(pid, 'args')?.split(/\s+/) ?? [];
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function parentPid(pid: number): number | undefined {
  if (process.platform !== 'linux') return Number(ps(pid, 'ppid')) || undefined;
  try {
    // Fields after the command name, which is in parentheses and may itself hold spaces or ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Is `pid` a `temporal server start-dev` on a database of this folder (the configured one's or the
 * sandbox's: they share the pid file)? A recycled pid is some other program.
 */
function isDevServerOf(pid: number, dbFile: string): boolean {
  const args = commandLine(pid);
  const db = args[args.indexOf('--db-filename') + 1];
  return args.includes('start-dev') && db !== undefined && dirname(db) === dirname(dbFile);
}

/** Is `pid` an `ml-connector start` (`node .../ml-connector[.js] start`)? */
function isStartCommand(pid: number): boolean {
  const args = commandLine(pid);
  const bin = args.findIndex((a) => /ml-connector(\.js)?$/.test(a));
  return bin >= 0 && args[bin + 1] === 'start';
}

/**
 * Stops the dev server a previous `start` left running (killed with SIGKILL, or on a system where the
 * kernel does not stop children with their parent), found by the pid it recorded; returns its pid.
 * A dev server whose parent is a running `ml-connector start` belongs to another `start` on the same
 * data folder: that is refused, not stopped.
 */
export async function stopLeftoverDevServer(dbFile: string, logger: Logger): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number(readFileSync(devServerPidFile(dbFile), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isDevServerOf(pid, dbFile)) {
    forgetDevServerPid(dbFile);
    return undefined;
  }
  const parent = parentPid(pid);
  if (parent !== undefined && isStartCommand(parent))
    throw new Error(
      `another ml-connector start (pid ${parent}) runs the Temporal dev server (pid ${pid}) on ${dbFile}: ` +
        'stop it first, or give this one its own ML_CONNECTOR_DATA_DIR',
    );
  logger.warn(
    { devServerPid: pid, dbFile },
    'stopping the Temporal dev server a previous `start` left running',
  );
  signal(pid, 'SIGTERM');
  const started = Date.now();
  while (isDevServerOf(pid, dbFile)) {
    const waited = Date.now() - started;
    if (waited > 15_000) throw new Error(`the Temporal dev server left running (pid ${pid}) does not stop`);
    if (waited > 10_000) signal(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
  forgetDevServerPid(dbFile);
  return pid;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
