import type { ValidationOptions } from 'class-validator';
import { define } from './openai-shape.validators.js';

/**
 * Validators for the optional OpenAI fields of contract 4.2 whose shape class-validator's
 * built-ins cannot express, with OpenAI's own enums and limits (openai SDK 6.x
 * `ChatCompletionCreateParams`). Pure functions naming the problem, shared by the decorators
 * below and the hand-written body checks; messages follow `$property`.
 */
type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** OpenAI's `verbosity` and `service_tier` values. */
export const VERBOSITIES = ['low', 'medium', 'high'] as const;
export const SERVICE_TIERS = ['auto', 'default', 'flex', 'scale', 'priority'] as const;

/** OpenAI's output audio formats. */
export const AUDIO_FORMATS = ['wav', 'aac', 'mp3', 'flac', 'opus', 'pcm16'] as const;
const SEARCH_CONTEXT_SIZES = new Set(['low', 'medium', 'high']);
const LOCATION_KEYS = ['city', 'country', 'region', 'timezone'] as const;

/** `prediction`: `{type: 'content', content: string | text parts}`. */
export function predictionProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return "must be an object {type: 'content', content}";
  if (value.type !== 'content') return "type must be 'content'";
  const { content } = value;
  if (typeof content === 'string') return undefined;
  if (
    Array.isArray(content) &&
    content.length > 0 &&
    content.every((p) => isRecord(p) && p.type === 'text' && typeof p.text === 'string')
  ) {
    return undefined;
  }
  return 'content must be a string or an array of text parts';
}

export const IsPrediction = (options?: ValidationOptions) =>
  define('isPrediction', predictionProblem, options);

/** `modalities`: a non-empty list of `text` and `audio`, each at most once. */
export function modalitiesProblem(value: unknown): string | undefined {
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((m) => m === 'text' || m === 'audio') &&
    new Set(value).size === value.length
  ) {
    return undefined;
  }
  return "must be a non-empty array of 'text' and 'audio'";
}

export const IsModalities = (options?: ValidationOptions) =>
  define('isModalities', modalitiesProblem, options);

/** `audio`: `{format, voice}`; the voice a name or `{id}` (a custom voice). */
export function audioProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'must be an object {format, voice}';
  if (!(AUDIO_FORMATS as readonly unknown[]).includes(value.format)) {
    return `format must be one of ${AUDIO_FORMATS.join(', ')}`;
  }
  const { voice } = value;
  if (typeof voice === 'string' && voice.length > 0 && voice.length <= 64) return undefined;
  if (isRecord(voice) && typeof voice.id === 'string' && voice.id.length > 0) return undefined;
  return 'voice must be a voice name or {id}';
}

export const IsAudioOutput = (options?: ValidationOptions) =>
  define('isAudioOutput', audioProblem, options);

/** `web_search_options`: `search_context_size` and an approximate `user_location`. */
export function webSearchOptionsProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'must be an object';
  const size = value.search_context_size;
  if (size !== undefined && !(typeof size === 'string' && SEARCH_CONTEXT_SIZES.has(size))) {
    return 'search_context_size must be low, medium or high';
  }
  const location = value.user_location;
  if (location === undefined || location === null) return undefined;
  if (!isRecord(location) || location.type !== 'approximate' || !isRecord(location.approximate)) {
    return "user_location must be {type: 'approximate', approximate: {...}}";
  }
  const approximate = location.approximate;
  for (const key of LOCATION_KEYS) {
    if (approximate[key] !== undefined && typeof approximate[key] !== 'string') {
      return `user_location.approximate.${key} must be a string`;
    }
  }
  return undefined;
}

export const IsWebSearchOptions = (options?: ValidationOptions) =>
  define('isWebSearchOptions', webSearchOptionsProblem, options);

/** `logit_bias`: token ids (as strings) to biases between -100 and 100, at most 300 entries. */
export function logitBiasProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'must be an object of token ids to numbers';
  const entries = Object.entries(value);
  if (entries.length > 300) return 'must have at most 300 entries';
  for (const [token, bias] of entries) {
    if (!/^\d{1,10}$/.test(token)) return 'keys must be token ids (integers)';
    if (typeof bias !== 'number' || !Number.isFinite(bias) || bias < -100 || bias > 100) {
      return 'values must be numbers between -100 and 100';
    }
  }
  return undefined;
}

export const IsLogitBias = (options?: ValidationOptions) =>
  define('isLogitBias', logitBiasProblem, options);

/** `top_logprobs`: an integer 0..20, only with `logprobs: true` (OpenAI's rule). */
export function topLogprobsProblem(value: unknown, owner: object): string | undefined {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 20) {
    return 'must be an integer between 0 and 20';
  }
  return (owner as { logprobs?: unknown }).logprobs === true
    ? undefined
    : 'requires logprobs: true';
}

export const IsTopLogprobs = (options?: ValidationOptions) =>
  define('isTopLogprobs', topLogprobsProblem, options);
