import { z } from 'zod';

/**
 * Field types for the configuration schema. Values that come from `${VAR:default}` are strings,
 * so numbers and booleans are coerced here rather than by each consumer.
 */
export const num = (schema: z.ZodNumber = z.number()) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
    schema,
  );

export const int = (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  num(z.number().int().min(min).max(max));

export const bool = () =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false' || s === '') return false;
    return v;
  }, z.boolean());

export const str = () => z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string());

export const url = () =>
  str().refine((v) => /^https?:\/\/[^\s]+$/i.test(v), { message: 'must be an http(s) URL' });

/** An http(s) URL, or empty for "not set". */
export const optionalUrl = () =>
  str().refine((v) => v === '' || /^https?:\/\/[^\s]+$/i.test(v), {
    message: 'must be an http(s) URL or empty',
  });

/** A YAML list, or a comma-separated string (handy from an env var). */
export const stringList = () =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(z.string()),
  );
