import type { MailchimpSimulator } from '../../simulators/mailchimp/index.js';

export interface SimResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Plain fetch against the simulator with the API key as Basic auth (any username). */
export function apiCaller(sim: MailchimpSimulator, authorization?: string | null) {
  const auth =
    authorization === undefined
      ? `Basic ${Buffer.from(`anystring:${sim.apiKey}`).toString('base64')}`
      : authorization;
  return async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<SimResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = auth;
    const res = await fetch(`${sim.apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
}
