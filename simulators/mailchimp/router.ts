import { ApiProblem, methodNotAllowed, notFound } from './problems.js';

/** One API call, already authenticated and with its body parsed (shared by HTTP and batch operations). */
export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  requestId: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as application/problem+json. */
  problem?: boolean;
  /** Members a bulk call carried: the server holds the connection `bulkPerMemberMs` longer for each. */
  bulkMembers?: number;
}

export type Handler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

interface Route {
  pattern: RegExp;
  names: string[];
  handlers: Map<string, Handler>;
}

/** Path-template router (`/lists/:list_id`); a known path with an unknown method is a 405 with Allow. */
export class Router {
  private readonly routes: Route[] = [];
  private readonly byTemplate = new Map<string, Route>();

  on(method: string, template: string, handler: Handler): this {
    let route = this.byTemplate.get(template);
    if (!route) {
      const names: string[] = [];
      const source = template.replace(/:([a-z_]+)/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      route = { pattern: new RegExp(`^${source}/?$`), names, handlers: new Map() };
      this.byTemplate.set(template, route);
      this.routes.push(route);
    }
    route.handlers.set(method, handler);
    return this;
  }

  resolve(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      const handler = route.handlers.get(method);
      if (!handler) throw methodNotAllowed([...route.handlers.keys()]);
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { handler, params };
    }
    throw notFound();
  }
}

export function parseJsonBody(raw: string | undefined): unknown {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ApiProblem(400, 'JSON Parse Exception', 'We encountered an unspecified JSON parsing error.');
  }
}
