import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { ConnectorActivities } from '../activities/index.js';

/**
 * Errors that retrying cannot fix: bad credentials, a query Sage refuses, a missing setting. The
 * activities already fail these as non-retryable (src/activities/errors.ts); the list also stops
 * them when an activity worker of another version throws them as they are.
 */
export const NON_RETRYABLE = [
  'Sage300AuthError',
  'Sage300QueryError',
  'MailchimpAuthError',
  'SyncConfigurationError',
  'ConfigError',
];

/**
 * Page activities of every stream: a dead worker is noticed within the heartbeat timeout (pages
 * heartbeat while they write), and transient faults get a minute-long backoff before the job fails.
 */
export function pageActivities(startToCloseTimeout: ActivityOptions['startToCloseTimeout']) {
  return proxyActivities<ConnectorActivities>({
    startToCloseTimeout,
    heartbeatTimeout: '30s',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '1m',
      maximumAttempts: 12,
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
}

/**
 * One-off setup calls of a job (merge fields, store setup): no heartbeat timeout, because they do
 * not heartbeat and a slow Sage or Mailchimp (cold start, 429 backoff) may take a minute; the same
 * retry policy as pages.
 */
export const setupActivities = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '10m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 12,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** Reading and committing the watermark: small calls to the sync-state entity. */
export const stateActivities = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

/**
 * Cleanup that must happen whatever the job's fate (clearing is_syncing, releasing the stream):
 * retried without an attempt cap for up to a day, credential errors included, so a key fixed later
 * the same day still lets it finish (a store left syncing silently stops order automations).
 */
export const cleanupActivities = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});
