/** The order `Allow` lists methods in, whatever order the routes were registered in. */
const ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Every registered route's pattern and method, so an unmatched request can be told "wrong method"
 * (405 with `Allow`) rather than "no such path" (404), parameterised routes included
 * (`/v1/admin/tenants/:id`). Fed by Fastify's `onRoute` hook.
 */
export class RouteTable {
  private readonly routes: { pattern: RegExp; method: string }[] = [];

  add(url: string, methods: string | string[]): void {
    const pattern = new RegExp(`^${toRegexSource(url)}$`);
    for (const method of Array.isArray(methods) ? methods : [methods]) {
      if (method !== 'HEAD' && method !== 'OPTIONS') this.routes.push({ pattern, method });
    }
  }

  /** Methods routed at this concrete path, other than `method`. */
  allowedMethods(path: string, method: string): string[] {
    const allowed = new Set<string>();
    for (const route of this.routes) {
      if (route.method !== method && route.pattern.test(path)) allowed.add(route.method);
    }
    return [...allowed].sort((a, b) => rank(a) - rank(b));
  }
}

function toRegexSource(url: string): string {
  return url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
}

function rank(method: string): number {
  const index = ORDER.indexOf(method);
  return index === -1 ? ORDER.length : index;
}
