import { SimContext } from './context.js';
import { selectFields } from './fields.js';
import { registerBatchSubscribe } from './batch-subscribe.js';
import { registerListRoutes } from './lists-api.js';
import { registerMemberRoutes } from './members-api.js';
import { registerSegmentRoutes } from './segments-api.js';
import { ApiProblem, problemBody } from './problems.js';
import { Router, parseJsonBody, type ApiResponse } from './router.js';

export interface RawCall {
  method: string;
  /** Path relative to `/3.0`, e.g. `/lists/abc/members`. */
  path: string;
  query: URLSearchParams;
  rawBody?: string;
  requestId: string;
}

/** The API proper, without transport: HTTP requests and batch operations both go through `dispatch`. */
export class MailchimpApi {
  readonly router = new Router();

  constructor(
    readonly ctx: SimContext,
    account: { dc: string; accountName: string },
  ) {
    this.router.on('GET', '/ping', () => ({ status: 200, body: { health_status: "Everything's Chimpy!" } }));
    this.router.on('GET', '/', () => ({
      status: 200,
      body: {
        account_id: 'sandbox0001',
        login_id: '1001',
        account_name: account.accountName,
        email: 'owner@sandbox.mailchimp.dev',
        first_name: 'Sandbox',
        last_name: 'Owner',
        username: 'sandbox',
        role: 'owner',
        member_since: '2020-01-01T00:00:00+00:00',
        pricing_plan_type: 'monthly',
        account_timezone: 'UTC',
        account_industry: 'Retail',
        total_subscribers: [...ctx.lists.values()].reduce((n, a) => n + a.statusCount('subscribed'), 0),
        _links: [],
      },
    }));
    registerListRoutes(this.router, ctx);
    registerMemberRoutes(this.router, ctx);
    registerBatchSubscribe(this.router, ctx);
    registerSegmentRoutes(this.router, ctx);
  }

  async dispatch(call: RawCall): Promise<ApiResponse> {
    try {
      const { handler, params } = this.router.resolve(call.method, call.path);
      const body = parseJsonBody(call.rawBody);
      const res = await handler({
        method: call.method,
        path: call.path,
        params,
        query: call.query,
        body,
        requestId: call.requestId,
      });
      if (res.body !== undefined && res.status < 300) res.body = selectFields(res.body, call.query);
      return res;
    } catch (err) {
      if (err instanceof ApiProblem) return problemResponse(err, call.requestId);
      const internal = new ApiProblem(
        500,
        'Internal Server Error',
        (err as Error).message || 'Unexpected error',
      );
      return problemResponse(internal, call.requestId);
    }
  }
}

export function problemResponse(p: ApiProblem, requestId: string): ApiResponse {
  return { status: p.status, body: problemBody(p, requestId), headers: p.headers, problem: true };
}
