import { describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTemporalCli } from '../../src/temporal/cli-path.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);

/** Every process below `pid`, from the parent pid in /proc/<pid>/stat. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length;) {
    frontier = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    out.push(...frontier);
  }
  return out;
}

const procText = (pid: number, file: 'cmdline' | 'environ') =>
  readFileSync(`/proc/${pid}/${file}`, 'latin1').split('\0').filter(Boolean);

// `start` as an operator runs it, with every kind of secret in its environment; then what another
// local user could read of it: the children's arguments and environments, and the UI's settings.
describe('secrets of a running `ml-connector start`', () => {
  it('are in no argument or environment of its children nor in the UI settings; the CLI decodes a query with the token file', async () => {
    if (process.platform !== 'linux') return void console.log('skipped: reads /proc (Linux)');
    const [port, uiPort, codecPort, webhookPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const dataDir = mkdtempSync(join(tmpdir(), 'mlc-secrets-'));
    const secrets = {
      WEBHOOK_SECRET: `webhook-${randomBytes(12).toString('hex')}`,
      ML_CONNECTOR_MASTER_KEY: randomBytes(32).toString('base64'),
      SAGE300_PASSWORD: `sage-${randomBytes(12).toString('hex')}`,
      MAILCHIMP_API_KEY: `${randomBytes(16).toString('hex')}-us6`,
    };
    const child = spawn(process.execPath, ['bin/ml-connector.js', 'start'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ML_CONNECTOR_DATA_DIR: dataDir,
        TEMPORAL_DEV_SERVER_PORT: String(port),
        TEMPORAL_UI_PORT: String(uiPort),
        CODEC_SERVER_PORT: String(codecPort),
        WEBHOOK_PORT: String(webhookPort),
        LOG_LEVEL: 'warn',
        ...secrets,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!/First customers sync: job \S+\n\s+completed/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`start did not sync:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const jobId = /First customers sync: job (\S+)/.exec(output)![1]!;

      // The token is in a file only its owner can read, and start names the file, not the token.
      const tokenFile = join(dataDir, 'codec-token');
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const token = readFileSync(tokenFile, 'utf8').trim();
      expect(output).toContain(`--codec-auth "Bearer $(cat ${tokenFile})"`);
      const all = [token, ...Object.values(secrets)];
      expect(all.filter((s) => output.includes(s))).toEqual([]);

      const children = descendants(child.pid!);
      expect(children.length).toBeGreaterThan(0);
      const temporal = children.filter((pid) => procText(pid, 'cmdline').includes('start-dev'));
      expect(temporal).toHaveLength(1);
      for (const pid of children) {
        const args = procText(pid, 'cmdline').join(' ');
        const environ = procText(pid, 'environ');
        expect(all.filter((s) => args.includes(s) || environ.some((e) => e.includes(s)))).toEqual([]);
        expect(environ.map((e) => e.slice(0, e.indexOf('='))).sort()).toEqual(['HOME', 'PATH']);
      }

      // The UI's settings are served to anyone on the machine: the endpoint carries no token.
      const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
        Codec: { Endpoint: string };
      };
      expect(settings.Codec.Endpoint).toBe(`http://127.0.0.1:${codecPort}`);

      // The Temporal CLI's query without arguments (its codec call is `{}`) decodes with the token...
      const query = (auth: string[]) =>
        run(requireTemporalCli(), [
          'workflow',
          'query',
          '-w',
          jobId,
          '--name',
          'progress',
          '--address',
          `127.0.0.1:${port}`,
          '--codec-endpoint',
          `http://127.0.0.1:${codecPort}`,
          '--output',
          'json',
          ...auth,
        ]);
      const { stdout } = await query(['--codec-auth', `Bearer ${token}`]);
      expect(JSON.parse(stdout)).toMatchObject({
        queryResult: [
          { jobId, stream: 'customers', company: 'SAMINC', status: expect.stringMatching(/^completed/) },
        ],
      });
      // ...and without it the codec server refuses the CLI, which then shows no plain value.
      const refused = await query([]).then(
        (r) => r.stdout,
        (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
      );
      expect(refused).not.toContain('SAMINC');
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  }, 180_000);
});
