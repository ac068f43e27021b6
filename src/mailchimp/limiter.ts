import http from 'node:http';
import https from 'node:https';
import { credentialId } from './hash.js';

/** Counting semaphore: at most `limit` holders at once, waiters served first come first served. */
export class ConnectionLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private limitValue: number) {}

  get limit(): number {
    return this.limitValue;
  }
  get inFlight(): number {
    return this.active;
  }

  /** Only ever lowered: two configurations sharing a key get the stricter one. */
  lowerTo(limit: number): void {
    if (limit < this.limitValue) this.limitValue = limit;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limitValue) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    this.active--;
    while (this.active < this.limitValue && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}

export interface CredentialChannel {
  limiter: ConnectionLimiter;
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
      limiter: new ConnectionLimiter(maxConnections),
      agent: { http: new http.Agent(opts), https: new https.Agent(opts) },
    };
    channels.set(key, channel);
  } else {
    channel.limiter.lowerTo(maxConnections);
  }
  return channel;
}
