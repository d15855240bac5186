import { z } from 'zod';
import { int, str } from './schema-fields.js';

/**
 * `gateway.routes[]` (contract section 6): a model glob, the targets that serve it and how one is
 * chosen, and the fallbacks tried when the chosen target fails. Which provider ids exist is
 * checked in `config.schema.ts`, where the providers are known.
 */
const targetSchema = z.strictObject({
  provider: str().pipe(z.string().min(1)),
  // The model the target receives; unset: the caller's model.
  model: str().pipe(z.string().min(1)).optional(),
  // Share of traffic under the weighted strategy.
  weight: int(0, 1_000_000).default(1),
});

const fallbackSchema = z.strictObject({
  provider: str().pipe(z.string().min(1)),
  model: str().pipe(z.string().min(1)).optional(),
});

export const routeSchema = z
  .strictObject({
    // A glob over the caller's model name: `*` any run of characters, `?` one character.
    model: str().pipe(z.string().min(1)),
    strategy: z.enum(['prefix', 'round-robin', 'weighted']).default('prefix'),
    providers: z.array(targetSchema).min(1, { message: 'a route needs at least one target' }),
    fallbacks: z.array(fallbackSchema).default([]),
  })
  .refine((route) => route.strategy !== 'weighted' || route.providers.some((t) => t.weight > 0), {
    message: 'a weighted route needs a target with a weight above 0',
    path: ['providers'],
  });

export const routesSchema = z.array(routeSchema).default([]);
