import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sage300Client } from '../../src/sage300/client.js';
import { Sage300Error } from '../../src/sage300/errors.js';
import { startSage300Simulator, type Sage300Simulator } from '../../simulators/sage300/index.js';

/** A private CA and an IIS-like server certificate for 127.0.0.1, made with the real openssl. */
function makePki(dir: string): { caFile: string; key: string; cert: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Test Private CA',
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n',
  );
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  ]);
  return {
    caFile: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'server.key'), 'utf8'),
    cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
  };
}

describe('TLS with a private CA', () => {
  let dir: string;
  let sim: Sage300Simulator;
  let caFile: string;
  const clients: Sage300Client[] = [];
  const client = (caFileOption?: string) => {
    const c = new Sage300Client({
      baseUrl: sim.baseUrl,
      company: sim.company,
      username: sim.username,
      password: sim.password,
      caFile: caFileOption,
      retry: { maxAttempts: 1 },
      timeoutMs: 5_000,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sage300-tls-'));
    const pki = makePki(dir);
    caFile = pki.caFile;
    sim = await startSage300Simulator({ customers: 5, tls: { key: pki.key, cert: pki.cert } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves https and is trusted through SAGE300_CA_FILE only', async () => {
    expect(sim.baseUrl.startsWith('https://127.0.0.1:')).toBe(true);
    const page = await client(caFile).getPage('customers', { top: 2 });
    expect(page.records).toHaveLength(2);
  });

  it('fails without the CA, not retryable, and says which setting to use', async () => {
    let error: unknown;
    try {
      await client().getPage('customers', { top: 1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Sage300Error);
    const e = error as Sage300Error;
    expect(e.retryable).toBe(false);
    expect(e.code).toMatch(/CERT|SELF_SIGNED|UNABLE_TO/);
    expect(e.message).toMatch(/SAGE300_CA_FILE/);
  });
});
