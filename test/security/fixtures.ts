import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testConfig } from '../helpers/config.js';
import type { AppConfig, RawSettings } from '../../src/config/index.js';

/** A config whose data folder is a fresh temporary directory (nested, so its creation is tested). */
export async function tempDataConfig(
  vars: RawSettings = {},
): Promise<{ config: AppConfig; dataDir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'mlc-sec-'));
  const dataDir = join(root, 'data');
  return { config: testConfig({ ML_CONNECTOR_DATA_DIR: dataDir, ...vars }), dataDir };
}
