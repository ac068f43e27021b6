import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../helpers/ports.js';
import path from 'node:path';

export interface PrismProxy {
  url: string;
  /** Every line Prism printed, for asserting that it reported no violation. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * `prism proxy --errors`: validates each request against the spec (422 with validation[] when bad)
 * and each upstream response (500 VIOLATIONS when bad). Startup parses the 5 MB spec: seconds.
 */
export async function startPrismProxy(repoRoot: string, spec: string, upstream: string): Promise<PrismProxy> {
  const port = await freePort();
  const bin = path.join(repoRoot, 'node_modules', '.bin', 'prism');
  const child: ChildProcess = spawn(bin, ['proxy', '--errors', '-p', String(port), spec, upstream], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prism exited (${child.exitCode}):\n${output.join('\n')}`);
    if (output.some((l) => /listening on/i.test(l))) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`prism did not start within 90 s:\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
