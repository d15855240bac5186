import { describe, expect, it } from '@jest/globals';
import type { Type } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { GatewayError } from '../../common/errors/gateway-error.js';
import {
  RequestValidationPipe,
  validateWithClassValidator,
} from '../../common/validation/request-validation.pipe.js';
import { containsSkippedKey } from '../../common/validation/body-scan.js';
import { MAX_TOOL_CALL_ID_LENGTH } from '../../providers/llm-provider.types.js';
import { ChatCompletionRequestDto } from './chat-completion-request.dto.js';
import { EmbeddingRequestDto } from './embedding-request.dto.js';
import { seededRandom } from '../../../test/helpers/seeded-random.js';

/**
 * The hand-written checks against the class-validator DTOs, over bodies generated from two valid
 * ones: every value below put in every place, every field removed, every key added to every
 * object, and random combinations of such edits. Both paths must accept the same data, refuse with
 * the same code, param and message, or throw the same error.
 */

type Body = Record<string, unknown>;
type Outcome = { accepted: unknown } | { code: string; param: string | null; message: string };
type Path = readonly (string | number)[];

const pipe = new RequestValidationPipe();

function outcome(run: () => unknown): Outcome | { threw: string } {
  try {
    return { accepted: run() };
  } catch (err) {
    if (!(err instanceof GatewayError)) return { threw: String(err) };
    return { code: err.code, param: err.param, message: err.message };
  }
}

const OWN = { enumerable: true, writable: true, configurable: true } as const;

/** A deep copy that keeps `__proto__` an own key, as JSON.parse leaves it. */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: clone(item), ...OWN });
  }
  return out as T;
}

/** The data alone: no class, no undefined fields (what `toEqual` compares). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, canonical(v)]),
  );
}

/** The pipe removes top-level nulls of an accepted body (null means unset, as at OpenAI). */
function withoutTopNulls<T extends object>(result: T): T | { accepted: unknown } {
  if (!('accepted' in result)) return result;
  const accepted = { ...(result.accepted as Record<string, unknown>) };
  for (const key of Object.keys(accepted)) if (accepted[key] === null) delete accepted[key];
  return { accepted };
}

const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } };
const tool = { type: 'function', function: { name: 'f', parameters: { type: 'object' } } };

/** Values at and around every rule's edge, and the shapes the DTOs nest. */
const VALUES: unknown[] = [
  ...[null, true, false, 0, -0, 1, -1, 1.5, 2, 2.5, -2.5, 16, 128, 129, 8192, 8193],
  ...[Infinity, -Infinity, [], {}, [[]], [null], [1, 2], [[1]], ['a'], ['a', 'b', 'c', 'd', 'e']],
  ...'x user assistant tool system function text image_url json_schema json_object'.split(' '),
  ...'auto none required low float base64 get_weather $property'.split(' '),
  ...['', 'bad name', 'a'.repeat(257), 'a'.repeat(513), 'a'.repeat(MAX_TOOL_CALL_ID_LENGTH + 1)],
  '😀'.repeat(100) + 'e\uFE0F'.repeat(100),
  ...['mock/\ud800', 'a\r\nb', '\u0085', 'mock/模型'],
  ...[{ a: 1 }, { a: 'b' }, { type: 'text', text: 'x' }, { type: 'text' }, { type: 'image_url' }],
  ...[
    { type: 'image_url', image_url: { url: 'u' } },
    { type: 'function', function: { name: 'f' } },
  ],
  ...[{ role: 'user', content: 'x' }, { name: 'f', arguments: '{}' }, call, tool],
];

const KEYS = [
  ...'model messages role content name tool_calls tool_call_id refusal type function'.split(' '),
  ...'arguments id text image_url url detail stream stream_options include_usage'.split(' '),
  ...'temperature tools tool_choice parameters response_format json_schema schema'.split(' '),
  ...'metadata n input encoding_format dimensions user logprobs 5 constructor toString'.split(' '),
  '__proto__',
];

const CHAT_SEED: Body = {
  model: 'mock/x',
  messages: [
    { role: 'system', content: 'Be brief.', name: 'sys' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'high' } },
      ],
    },
    { role: 'assistant', content: null, tool_calls: [call] },
    { role: 'tool', content: 'sunny', tool_call_id: 'c1' },
    { role: 'assistant', content: 'Sunny.', refusal: null },
  ],
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 10,
  max_completion_tokens: 10,
  temperature: 1,
  top_p: 0.5,
  frequency_penalty: 0,
  presence_penalty: 0,
  stop: ['a'],
  seed: 1,
  user: 'u',
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'out', description: 'd', schema: { type: 'object' }, strict: true },
  },
  tools: [tool],
  tool_choice: { type: 'function', function: { name: 'f' } },
  parallel_tool_calls: true,
  metadata: { a: 'b' },
  n: 1,
  reasoning_effort: 'low',
  verbosity: 'high',
  service_tier: 'auto',
  store: false,
  prediction: { type: 'content', content: [{ type: 'text', text: 'p' }] },
  modalities: ['text'],
  audio: { format: 'wav', voice: { id: 'v' } },
  web_search_options: { user_location: { type: 'approximate', approximate: { city: 'c' } } },
  logprobs: true,
  top_logprobs: 1,
  logit_bias: { '7': 1 },
  prompt_cache_key: 'k',
  safety_identifier: 's',
};

const EMBEDDING_SEED: Body = {
  model: 'mock/embed',
  input: ['alpha', 'beta'],
  encoding_format: 'float',
  dimensions: 8,
  user: 'u',
};

/** Every place in `value`: the path to each key and element, outermost first. */
function places(value: unknown, path: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const here = [...path, Array.isArray(value) ? Number(key) : key];
    return [here, ...places(item, here)];
  });
}

/** The objects and arrays in `value`, by path. */
function containers(value: unknown, path: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const inner = Object.entries(value).flatMap(([key, item]) =>
    containers(item, [...path, Array.isArray(value) ? Number(key) : key]),
  );
  return [path, ...inner];
}

function at(root: unknown, path: Path): Record<string | number, unknown> {
  return path.reduce<unknown>(
    (node, key) => (node as Record<string | number, unknown>)[key],
    root,
  ) as Record<string | number, unknown>;
}

/** A copy of `root` with `edit` applied to the container at `path`. */
function edited(root: Body, path: Path, edit: (node: Record<string | number, unknown>) => void) {
  const copy = clone(root);
  edit(at(copy, path));
  return copy;
}

/** Sets `key`; defineProperty, so that `__proto__` becomes an own key, as JSON.parse makes it. */
const put = (key: string | number, value: unknown) => (node: Record<string | number, unknown>) => {
  if (Array.isArray(node)) node[key as number] = clone(value);
  else Object.defineProperty(node, key, { value: clone(value), ...OWN });
};

/** Every value of {@link VALUES} in every place, and every key and element removed in turn. */
function* replaced(seed: Body): Generator<Body> {
  for (const path of places(seed)) {
    const parent = path.slice(0, -1);
    const key = path[path.length - 1];
    for (const value of VALUES) yield edited(seed, parent, put(key, value));
    yield edited(seed, parent, (node) => {
      if (Array.isArray(node)) node.splice(key as number, 1);
      else delete node[key];
    });
  }
}

/** Every key of {@link KEYS} added to every object, and an element to every array. */
function* added(seed: Body): Generator<Body> {
  for (const path of containers(seed)) {
    const target = at(seed, path);
    for (const value of [null, 'x', 2, {}, [[]]]) {
      if (Array.isArray(target)) {
        yield edited(seed, path, put(target.length, value));
        continue;
      }
      for (const key of KEYS.filter((k) => !Object.hasOwn(target, k))) {
        yield edited(seed, path, put(key, value));
      }
    }
  }
}

/** `count` bodies with two to four random edits each (a value, or a subtree moved). */
function* combined(seed: Body, count: number): Generator<Body> {
  const next = seededRandom(20261121);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  for (let i = 0; i < count; i++) {
    let body = seed;
    for (let edits = 2 + Math.floor(next() * 3); edits > 0; edits--) {
      const path = pick(containers(body));
      const target = at(body, path);
      const key = Array.isArray(target)
        ? Math.floor(next() * (target.length + 1))
        : pick([...Object.keys(target), ...KEYS]);
      const value = next() < 0.8 ? pick(VALUES) : at(body, pick(containers(body)));
      body = edited(body, path, put(key, value));
    }
    yield body;
  }
}

function compare(dto: Type<object>, bodies: Iterable<Body>) {
  const mismatches: unknown[] = [];
  const seen = { bodies: 0, accepted: 0, messages: new Set<string>(), builtInKeys: 0 };
  for (const body of bodies) {
    const fast = outcome(() => pipe.transform(clone(body), { type: 'body', metatype: dto }));
    if (containsSkippedKey(body)) {
      // A key named after an Object.prototype member: class-transformer cannot copy such a body,
      // so the hand-written check alone decides; it accepts or refuses, never throws otherwise.
      seen.builtInKeys++;
      if ('threw' in fast) mismatches.push({ body, pipe: fast });
      continue;
    }
    const reference = withoutTopNulls(outcome(() => validateWithClassValidator(dto, clone(body))));
    if (!isDeepStrictEqual(canonical(fast), canonical(reference))) {
      mismatches.push({ body, pipe: fast, classValidator: reference });
    }
    seen.bodies++;
    if ('accepted' in reference) seen.accepted++;
    if ('message' in reference) seen.messages.add(reference.message);
  }
  return { mismatches: mismatches.slice(0, 3), seen };
}

describe('request validators on generated bodies', () => {
  describe.each<[string, Type<object>, Body]>([
    ['chat', ChatCompletionRequestDto, CHAT_SEED],
    ['embeddings', EmbeddingRequestDto, EMBEDDING_SEED],
  ])('%s: both paths agree', (_name, dto, seed) => {
    it('with every value in every place, or a field removed', () => {
      const { mismatches, seen } = compare(dto, replaced(seed));
      expect(mismatches).toEqual([]);
      // Both verdicts, and many different failures.
      expect(seen.accepted).toBeGreaterThan(seen.bodies / 20);
      expect(seen.messages.size).toBeGreaterThan(dto === EmbeddingRequestDto ? 8 : 60);
    });

    it('with a field added anywhere', () => {
      const { mismatches, seen } = compare(dto, added(seed));
      expect(mismatches).toEqual([]);
      // Some added keys are built-in names (constructor, __proto__, ...); most are not.
      expect(seen.builtInKeys).toBeGreaterThan(0);
      expect(seen.builtInKeys).toBeLessThan(seen.bodies / 5);
    });

    it('with random combinations of edits', () => {
      const { mismatches, seen } = compare(dto, combined(seed, 1000));
      expect(mismatches).toEqual([]);
      expect(seen.accepted).toBeGreaterThan(0);
      expect(seen.accepted).toBeLessThan(seen.bodies);
    });
  });
});
