import http from 'node:http';
import https from 'node:https';
import { createLimiter, type Limiter } from '../shared/concurrency.js';
import { credentialId } from './hash.js';

export interface CredentialChannel {
  limiter: Limiter;
  agent: { http: http.Agent; https: https.Agent };
}

// Mailchimp counts simultaneous connections per API key (or token), not per client object, so every
// client and stream in this process that uses the same credential must share one limiter and one pool.
const channels = new Map<string, CredentialChannel>();

export function channelFor(credential: string, maxConnections: number): CredentialChannel {
  const key = credentialId(credential);
  let channel = channels.get(key);
  if (!channel) {
    const opts = { keepAlive: true, maxSockets: maxConnections, maxFreeSockets: maxConnections };
    channel = {
      limiter: createLimiter(maxConnections),
      agent: { http: new http.Agent(opts), https: new https.Agent(opts) },
    };
    channels.set(key, channel);
  } else {
    channel.limiter.lowerTo(maxConnections);
  }
  return channel;
}

/**
 * The limiter every client of `credential` in this process goes through, for a budget shared with
 * other processes to resize (src/worker/connection-share.ts), and the credential's non-reversible
 * name that budget is known by.
 */
export function credentialLimiter(
  credential: string,
  maxConnections: number,
): { credentialId: string; limiter: Limiter } {
  return { credentialId: credentialId(credential), limiter: channelFor(credential, maxConnections).limiter };
}
