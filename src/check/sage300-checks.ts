import type { Sage300Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { Sage300Client } from '../sage300/client.js';
import { Sage300AuthError } from '../sage300/errors.js';
import type { SageEntityName } from '../sage300/entities.js';
import { explainSage300Error } from './explain-sage300.js';
import type { CheckResult } from './types.js';

const ENTITIES: SageEntityName[] = ['customers', 'orders', 'items'];

/** One small authenticated read ($count) per entity set the connector reads. */
export async function checkSage300(config: Sage300Config, logger?: Logger): Promise<CheckResult[]> {
  let client: Sage300Client;
  try {
    client = Sage300Client.fromConfig(config, logger);
  } catch (err) {
    return [{ system: 'sage300', check: 'configuration', ok: false, ...explainSage300Error(err) }];
  }
  const results: CheckResult[] = [];
  try {
    for (const entity of ENTITIES) {
      try {
        const n = await client.count(entity);
        results.push({ system: 'sage300', check: entity, ok: true, detail: `${n} records readable` });
      } catch (err) {
        results.push({
          system: 'sage300',
          check: entity,
          ok: false,
          ...explainSage300Error(err, { username: config.username }),
        });
        // Only a 403 can differ per entity (rights are per module). Anything else (a failed login,
        // an unreachable server) would just repeat, and repeated failed logins can lock the Sage user.
        if (!(err instanceof Sage300AuthError && err.status === 403)) {
          const reason = err instanceof Sage300AuthError ? 'the login failed' : 'the first read failed';
          for (const rest of ENTITIES.slice(ENTITIES.indexOf(entity) + 1)) {
            results.push({ system: 'sage300', check: rest, ok: false, detail: `not tried after ${reason}` });
          }
          break;
        }
      }
    }
  } finally {
    client.close();
  }
  return results;
}
