import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Observable } from 'rxjs';
import { toAbortSignal } from '../../common/cancellation/cancel-signal.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG } from '../../config/gateway-config.types.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { LlmProvider, ProviderCall } from '../llm-provider.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChunkChoice,
  EmbeddingRequest,
  EmbeddingResult,
  ModelDescriptor,
  ProviderCapabilities,
  Usage,
} from '../llm-provider.types.js';
import {
  estimateEmbeddingInputTokens,
  estimatePromptTokens,
  estimateTextTokens,
} from '../usage-estimate.js';
import { MockScriptEngine } from './mock-script.engine.js';

const PROVIDER_ID = 'mock';
const DEFAULT_MODEL = 'mock/default';

const CAPABILITIES: ProviderCapabilities = {
  streaming: true,
  vision: false,
  tools: false,
  jsonSchema: 'emulated',
  jsonObject: 'emulated',
  embeddings: true,
  maxContextTokens: 128_000,
};

/**
 * Answers `mock/` models with configured text, without any upstream: for CI, demos and local work
 * without API keys (contract 5.1). Latency, per-token pacing and failures are simulated so callers
 * exercise the same paths they would against a real vendor.
 */
@Injectable()
export class MockAdapter extends LlmProvider {
  readonly id = PROVIDER_ID;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly scripts: MockScriptEngine,
  ) {
    super();
  }

  capabilities(_model: string): ProviderCapabilities {
    return { ...CAPABILITIES };
  }

  listModels(): ModelDescriptor[] {
    const ids = new Set([DEFAULT_MODEL]);
    for (const key of Object.keys(this.settings.responseOverrides)) {
      if (key.startsWith('mock/')) ids.add(key);
    }
    return [...ids].map((id) => ({ id, ownedBy: PROVIDER_ID }));
  }

  chat$(request: ChatCompletionRequest, call: ProviderCall): Observable<ChatCompletionChunk> {
    return new Observable<ChatCompletionChunk>((subscriber) => {
      const { latencyMs, streamTokenDelayMs } = this.settings;
      // One timer at a time; whichever is pending when the caller unsubscribes is cleared.
      let timer: NodeJS.Timeout | undefined;

      // Withdraws a script still waiting for a free worker when the caller leaves.
      const controller = new AbortController();

      const start = (content: string): void => {
        const frame = chunkFactory(request.model);
        const words = splitWords(content);
        let next = 0;
        const pump = (): void => {
          while (next < words.length) {
            if (subscriber.closed) return;
            subscriber.next(
              frame([{ index: 0, delta: { content: words[next] }, finish_reason: null }]),
            );
            next += 1;
            if (next === words.length) break;
            // A caller that reads slowly holds the words back, as it would a real upstream.
            const ready = call.flow?.ready();
            if (ready !== undefined) {
              void ready.then(() => {
                timer = setTimeout(pump, streamTokenDelayMs);
              });
              return;
            }
            if (streamTokenDelayMs > 0) {
              timer = setTimeout(pump, streamTokenDelayMs);
              return;
            }
          }
          subscriber.next(frame([{ index: 0, delta: {}, finish_reason: 'stop' }]));
          subscriber.next({ ...frame([]), usage: this.usage(request, content) });
          subscriber.complete();
        };

        subscriber.next(
          frame([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
        );
        if (streamTokenDelayMs > 0 && words.length > 0) {
          timer = setTimeout(pump, streamTokenDelayMs);
        } else {
          pump();
        }
      };

      timer = setTimeout(() => {
        this.answer(request, controller.signal).then(
          (content) => {
            if (!subscriber.closed) start(content);
          },
          (error: unknown) => subscriber.error(error),
        );
      }, latencyMs);
      return () => {
        clearTimeout(timer);
        controller.abort();
      };
    });
  }

  async complete(request: ChatCompletionRequest, call: ProviderCall): Promise<ChatCompletion> {
    const signal = toAbortSignal(call.signal);
    await wait(this.settings.latencyMs, signal);
    const content = await this.answer(request, signal);
    return {
      id: completionId(),
      object: 'chat.completion',
      created: unixSeconds(),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: this.usage(request, content),
    };
  }

  async embed(request: EmbeddingRequest, call: ProviderCall): Promise<EmbeddingResult> {
    await wait(this.settings.latencyMs, toAbortSignal(call.signal));
    this.simulateFailure();
    const dimensions = request.dimensions ?? this.settings.embeddingDimensions;
    const data = embeddingSeeds(request.input).map((seed, index) => ({
      index,
      embedding: seededUnitVector(request.model, seed, dimensions),
    }));
    const tokens = estimateEmbeddingInputTokens(request.input);
    return { model: request.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }

  /** The source of simulated failures: a uniform number in [0, 1). */
  protected random(): number {
    return Math.random();
  }

  private get settings(): GatewayConfig['providers']['mock'] {
    return this.config.providers.mock;
  }

  /** The assistant text for one request: simulated failure, then override or default, then JSON. */
  private async answer(request: ChatCompletionRequest, signal?: AbortSignal): Promise<string> {
    this.simulateFailure();
    const { responseOverrides, response, scriptTimeoutMs } = this.settings;
    // Own keys only: a model named like an Object.prototype member must not pick up a function.
    const template = Object.hasOwn(responseOverrides, request.model)
      ? responseOverrides[request.model]
      : response;
    const text = await this.scripts.render(template, request, scriptTimeoutMs, signal);
    const format = request.response_format?.type;
    return format === 'json_object' || format === 'json_schema'
      ? JSON.stringify({ result: text })
      : text;
  }

  private simulateFailure(): void {
    const { errorRate } = this.settings;
    if (errorRate > 0 && this.random() < errorRate) {
      throw new GatewayError(
        ErrorCode.ProviderError,
        `Mock provider simulated failure (error-rate ${errorRate})`,
        { provider: PROVIDER_ID, retryable: true },
      );
    }
  }

  private usage(request: ChatCompletionRequest, content: string): Usage {
    const prompt = estimatePromptTokens(request.messages);
    const completion = estimateTextTokens(content);
    return {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    };
  }
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts, leaving no timer behind. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled(signal));
      return;
    }
    if (ms <= 0) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(signal: AbortSignal | undefined): GatewayError {
  return new GatewayError(ErrorCode.ProviderError, 'Mock provider call was cancelled.', {
    provider: PROVIDER_ID,
    cause: signal?.reason,
  });
}

/** Builds chunks that share one id, timestamp and model, as one real stream's chunks do. */
function chunkFactory(model: string): (choices: ChunkChoice[]) => ChatCompletionChunk {
  const id = completionId();
  const created = unixSeconds();
  return (choices) => ({ id, object: 'chat.completion.chunk', created, model, choices });
}

/**
 * One word per chunk, whitespace attached to the word before it (leading whitespace to the first),
 * so the joined deltas reproduce the text exactly.
 */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let leading = '';
  // split with a capture group alternates word, whitespace, word, ...
  text.split(/(\s+)/).forEach((piece, index) => {
    if (piece === '') return;
    if (index % 2 === 0) {
      words.push(leading + piece);
      leading = '';
    } else if (words.length > 0) {
      words[words.length - 1] += piece;
    } else {
      leading = piece;
    }
  });
  if (leading !== '') words.push(leading);
  return words;
}

/** What identifies one embeddings input: its kind keeps the text "1,2" apart from tokens [1, 2]. */
function embeddingSeeds(input: EmbeddingRequest['input']): string[] {
  if (typeof input === 'string') return [`text\0${input}`];
  const items: readonly (string | number | readonly number[])[] = input;
  if (items.length > 0 && items.every((item) => typeof item === 'number')) {
    return [`tokens\0${items.join(',')}`];
  }
  return items.map((item) =>
    typeof item === 'string'
      ? `text\0${item}`
      : `tokens\0${typeof item === 'number' ? item : item.join(',')}`,
  );
}

/** A unit vector that depends only on model and input, so tests can compare embeddings. */
function seededUnitVector(model: string, seed: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(model).update('\0').update(seed).digest();
  const next = sfc32(
    digest.readUInt32LE(0),
    digest.readUInt32LE(4),
    digest.readUInt32LE(8),
    digest.readUInt32LE(12),
  );
  const vector = Array.from({ length: dimensions }, () => next() * 2 - 1);
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => value / norm);
}

/** sfc32: a small, fast PRNG with a 128-bit state; uniform numbers in [0, 1). */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
}

function completionId(): string {
  return `chatcmpl-mock-${randomBytes(12).toString('hex')}`;
}

function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
