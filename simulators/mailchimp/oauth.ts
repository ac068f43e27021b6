import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../src/shared/http-server.js';

/**
 * login.mailchimp.com/oauth2/metadata: tells an OAuth client its data center. A bad token still gets
 * HTTP 200, with `{"error":"invalid_token"}` in the body.
 */
export function oauthMetadataHandler(
  req: IncomingMessage,
  res: ServerResponse,
  o: { token: string; dc: string; baseUrl: string },
): void {
  const header = req.headers.authorization ?? '';
  const m = /^(?:OAuth|Bearer)\s+(\S+)$/i.exec(header.trim());
  const ok = m?.[1] === o.token;
  const body = ok
    ? {
        dc: o.dc,
        role: 'owner',
        accountname: 'ML Connector Sandbox',
        user_id: 1001,
        login: {
          email: 'owner@sandbox.mailchimp.dev',
          avatar: null,
          login_id: 1001,
          login_name: 'sandbox',
          login_email: 'owner@sandbox.mailchimp.dev',
        },
        login_url: 'https://login.mailchimp.com',
        api_endpoint: o.baseUrl,
      }
    : { error: 'invalid_token' };
  sendJson(res, 200, body);
}
