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
