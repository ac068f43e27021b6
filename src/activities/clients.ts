import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import type { Sage300Client } from '../sage300/client.js';
import type { MailchimpClient } from '../mailchimp/client.js';

export interface ActivityClients {
  sage300(): Promise<Sage300Client>;
  mailchimp(): Promise<MailchimpClient>;
}

/**
 * `create` once, its promise shared; a failed creation is forgotten, so the next activity attempt
 * tries again (a CA file mounted late, a data-center lookup that timed out) instead of failing for
 * the worker's life.
 */
function onceSucceeded<T>(create: () => Promise<T>): {
  get(): Promise<T>;
  current(): Promise<T> | undefined;
} {
  let pending: Promise<T> | undefined;
  return {
    get: () =>
      (pending ??= create().catch((err: unknown) => {
        pending = undefined;
        throw err;
      })),
    current: () => pending,
  };
}

/**
 * Clients built from the configuration the first time an activity needs them, then shared by every
 * activity of the worker (one connection pool per outside system, so its concurrency cap holds).
 * The client modules load on first use too: a worker that never syncs never loads them.
 */
export function lazyClients(config: AppConfig, logger: Logger): ActivityClients & { close(): void } {
  const sage = onceSucceeded(() =>
    import('../sage300/client.js').then(({ Sage300Client: C }) => C.fromConfig(config.sage300, logger)),
  );
  const mailchimp = onceSucceeded(() =>
    import('../mailchimp/client.js').then(({ MailchimpClient: C }) => C.create(config.mailchimp, { logger })),
  );
  return {
    sage300: sage.get,
    mailchimp: mailchimp.get,
    close() {
      void sage
        .current()
        ?.then((s) => s.close())
        .catch(() => undefined);
    },
  };
}

const resolved = new WeakMap<object, ActivityClients>();

/**
 * The clients activities use: the ones handed in through ActivityDeps (tests, the worker), or
 * lazily built from the config. Memoised per deps object, so every stream's activities of one
 * worker share one pool per outside system.
 */
export function resolveClients(deps: {
  config: AppConfig;
  logger: Logger;
  sage300?: () => Sage300Client;
  mailchimp?: () => Promise<MailchimpClient>;
}): ActivityClients {
  let clients = resolved.get(deps);
  if (!clients) {
    const lazy = deps.sage300 && deps.mailchimp ? undefined : lazyClients(deps.config, deps.logger);
    const given = deps.sage300;
    clients = {
      sage300: given ? async () => given() : lazy!.sage300,
      mailchimp: deps.mailchimp ?? lazy!.mailchimp,
    };
    resolved.set(deps, clients);
  }
  return clients;
}
