import type { EnvSource } from './config-interpolation.js';

/** The process environment: read here and nowhere else in `src/`. */
export function processEnvironment(): EnvSource {
  return process.env;
}
