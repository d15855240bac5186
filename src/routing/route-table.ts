import type { GatewayConfig } from '../config/gateway-config.types.js';

export type RouteStrategy = 'prefix' | 'round-robin' | 'weighted';

/** A target of a route: a provider, the model it receives (unset: the caller's), its weight. */
export interface RouteTargetConfig {
  readonly provider: string;
  readonly model?: string;
  readonly weight: number;
}

export interface RouteFallbackConfig {
  readonly provider: string;
  readonly model?: string;
}

/** One `gateway.routes[]` entry, its glob compiled. */
export interface CompiledRoute {
  /** Position in `gateway.routes`: the route's identity (round-robin counters, logs). */
  readonly index: number;
  /** The glob as configured. */
  readonly pattern: string;
  readonly strategy: RouteStrategy;
  readonly targets: readonly RouteTargetConfig[];
  readonly fallbacks: readonly RouteFallbackConfig[];
  readonly matches: (model: string) => boolean;
}

/**
 * A model glob as a whole-string, case-insensitive regular expression: `*` any run of characters
 * (`/` included, so `mock/*` matches `mock/a/b`), `?` exactly one; everything else literal.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** `gateway.routes`, compiled once at boot; the first route whose glob matches wins. */
export class RouteTable {
  readonly routes: readonly CompiledRoute[];

  constructor(routes: GatewayConfig['routes']) {
    this.routes = routes.map((route, index) => {
      const regex = globToRegExp(route.model);
      return {
        index,
        pattern: route.model,
        strategy: route.strategy,
        targets: route.providers,
        fallbacks: route.fallbacks,
        matches: (model: string) => regex.test(model),
      };
    });
  }

  /** The first route, in configuration order, whose glob matches the whole model name. */
  match(model: string): CompiledRoute | undefined {
    return this.routes.find((route) => route.matches(model));
  }
}
