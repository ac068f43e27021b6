import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` shows in stdout or stderr; fails if the process ends or `ms` passes first. */
  waitFor(pattern: RegExp, ms: number): Promise<void>;
  /**
   * The exit code, failing when the process is still running `ms` after this call (a liveness
   * bound, not a measurement: the process is then killed so the test run goes on).
   */
  exitWithin(ms: number): Promise<number | null>;
}

/** The built CLI (`node bin/ml-connector.js`, as `npx ml-connector` runs it) with only `env` set. */
export function runCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ['bin/ml-connector.js', ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ML_CONNECTOR_DATA_DIR: mkdtempSync(join(tmpdir(), 'mlc-cli-')),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, ms) {
      const deadline = Date.now() + ms;
      while (!pattern.test(out) && !pattern.test(err)) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline)
          throw new Error(`no ${pattern} from ml-connector ${args.join(' ')}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async exitWithin(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
      const code = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (code === 'late') {
        child.kill('SIGKILL');
        throw new Error(`ml-connector ${args.join(' ')} still running after ${ms} ms:\n${out}\n${err}`);
      }
      return code;
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
