import { jest } from '@jest/globals';
import { Logger, Module } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, Observable, Subject, toArray } from 'rxjs';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { loadGatewayConfig } from '../config/config.loader.js';
import type { LlmProvider, ProviderCall } from '../providers/llm-provider.js';
import type { ProviderDefinition } from '../providers/provider-definition.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import type { CallTrace } from './attempt-trace.js';
import { FailoverExecutor } from './failover.executor.js';
import { ProviderResilience } from './provider-resilience.service.js';
import { LocalBreakerStateBus } from './breaker-state.bus.js';
import type { PlannedTarget, RoutePlan } from './route-planner.service.js';
import { type FallbackEvent, RoutingEvents } from './routing-events.js';

@Module({})
class UnusedModule {}

describe(FailoverExecutor.name, () => {
  const ids = ['a', 'b', 'c', 'd'];
  let dir: string;
  let events: RoutingEvents;
  let fallbacks: FallbackEvent[];

  /** An executor whose providers a-d retry once (2 attempts in all) with no breaker. */
  const executor = (fallbackYaml: string[] = []) => {
    writeFileSync(
      join(dir, 'application.yml'),
      [
        'gateway:',
        '  resilience:',
        '    retry: { max-attempts: 2, initial-delay-ms: 1, jitter: false }',
        '    circuit-breaker: { enabled: false }',
        ...fallbackYaml,
      ].join('\n'),
    );
    const config = loadGatewayConfig({ env: {}, configDir: dir });
    const definitions: ProviderDefinition[] = ids.map((id) => ({
      id,
      prefixes: [`${id}/`],
      stripPrefix: false,
      activationHint: id,
      isActive: () => true,
      load: () => Promise.resolve({ module: UnusedModule, adapter: id }),
    }));
    const registry = new ProviderRegistry(definitions, ids.map(provider));
    return new FailoverExecutor(
      config,
      new ProviderResilience(config, registry, events, new LocalBreakerStateBus()),
      events,
    );
  };
  const provider = (id: string) => ({ id }) as LlmProvider;
  const target = (id: string): PlannedTarget => ({
    provider: provider(id),
    model: `${id}/model`,
    upstreamModel: `${id}-upstream`,
  });
  const plan = (...targetIds: string[]): RoutePlan => ({
    model: 'alias',
    targets: targetIds.map(target),
  });
  const failure = (code: ErrorCode, provider: string, retryable = false) =>
    new GatewayError(code, `${provider} failed with ${code}`, { provider, retryable });

  /** Answers per provider id: an error to throw, or the text to answer. */
  const answering = (outcomes: Record<string, (Error | string)[]>) => {
    const calls: { id: string; call: ProviderCall }[] = [];
    const call = (t: PlannedTarget, c: ProviderCall) => {
      calls.push({ id: t.provider.id, call: c });
      const outcome = outcomes[t.provider.id]?.shift() ?? `${t.provider.id} answers`;
      return typeof outcome === 'string' ? Promise.resolve(outcome) : Promise.reject(outcome);
    };
    return { calls, call };
  };
  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-failover-'));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    events = new RoutingEvents();
    fallbacks = [];
    events.on('fallback', (e) => fallbacks.push(e));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('answers from the primary when it succeeds, with its upstream model and the trace id', async () => {
    const { calls, call } = answering({});
    const routed = await executor().run(
      plan('a', 'b'),
      { traceId: 't-1' },
      new AbortController().signal,
      call,
    );
    expect(routed).toEqual({
      value: 'a answers',
      answer: { provider: 'a', model: 'a-upstream', failedOver: [] },
    });
    expect(calls.map((c) => c.call)).toEqual([
      expect.objectContaining({ model: 'a-upstream', traceId: 't-1' }),
    ]);
  });

  it('retries the primary, then falls over to the next target with its own model', async () => {
    const { calls, call } = answering({
      a: [failure(ErrorCode.ProviderError, 'a', true), failure(ErrorCode.ProviderError, 'a', true)],
    });
    const routed = await executor().run(
      plan('a', 'b'),
      { traceId: 't-1' },
      new AbortController().signal,
      call,
    );
    expect(calls.map((c) => `${c.id}:${c.call.model}`)).toEqual([
      'a:a-upstream',
      'a:a-upstream',
      'b:b-upstream',
    ]);
    expect(routed.answer).toEqual({ provider: 'b', model: 'b-upstream', failedOver: ['a'] });
    expect(fallbacks).toEqual([
      {
        type: 'fallback',
        traceId: 't-1',
        from: { provider: 'a', model: 'a-upstream' },
        to: { provider: 'b', model: 'b-upstream' },
        code: 'provider_error',
      },
    ]);
  });

  it.each([ErrorCode.ProviderCircuitOpen, ErrorCode.ProviderRateLimited])(
    'falls over on %s',
    async (code) => {
      const { call } = answering({ a: [failure(code, 'a')] });
      const routed = await executor().run(
        plan('a', 'b'),
        { traceId: 't' },
        new AbortController().signal,
        call,
      );
      expect(routed.answer.provider).toBe('b');
    },
  );

  it.each([ErrorCode.ProviderRejectedRequest, ErrorCode.InternalError])(
    'never falls over on %s: the error is returned as it is',
    async (code) => {
      const { calls, call } = answering({ a: [failure(code, 'a')] });
      const error = await rejection(
        executor().run(plan('a', 'b'), { traceId: 't' }, new AbortController().signal, call),
      );
      expect(error.code).toBe(code);
      expect(calls.map((c) => c.id)).toEqual(['a']);
      expect(fallbacks).toEqual([]);
    },
  );

  it("returns the primary's error when every target fails, whatever the fallbacks said", async () => {
    const { calls, call } = answering({
      a: [failure(ErrorCode.ProviderRateLimited, 'a')],
      b: [failure(ErrorCode.ProviderError, 'b')],
      c: [failure(ErrorCode.ProviderRejectedRequest, 'c')],
    });
    const error = await rejection(
      executor().run(plan('a', 'b', 'c'), { traceId: 't' }, new AbortController().signal, call),
    );
    expect(error.message).toBe('a failed with provider_rate_limited');
    expect(calls.map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });

  it('tries at most fallback.max-attempts targets, the primary included', async () => {
    const fail = (id: string) => [failure(ErrorCode.ProviderCircuitOpen, id)];
    const { calls, call } = answering({ a: fail('a'), b: fail('b') });
    const error = await rejection(
      executor(['    fallback: { max-attempts: 2 }']).run(
        plan('a', 'b', 'c'),
        { traceId: 't' },
        new AbortController().signal,
        call,
      ),
    );
    expect(calls.map((c) => c.id)).toEqual(['a', 'b']);
    expect(error.code).toBe(ErrorCode.ProviderCircuitOpen);
  });

  it('says every breaker is open when every target tried was open', async () => {
    const { call } = answering({
      a: [failure(ErrorCode.ProviderCircuitOpen, 'a')],
      b: [failure(ErrorCode.ProviderCircuitOpen, 'b')],
    });
    const error = await rejection(
      executor().run(plan('a', 'b'), { traceId: 't' }, new AbortController().signal, call),
    );
    expect(error.code).toBe(ErrorCode.ProviderCircuitOpen);
    expect(error.status).toBe(503);
    expect(error.message).toContain('a, b');
  });

  it('starts no fallback after the deadline', async () => {
    const { calls } = answering({});
    const slowFailure = (t: PlannedTarget, c: ProviderCall) => {
      calls.push({ id: t.provider.id, call: c });
      return new Promise<string>((_, reject) =>
        setTimeout(() => reject(failure(ErrorCode.ProviderError, t.provider.id)), 60),
      );
    };
    const error = await rejection(
      executor(['    fallback: { deadline-ms: 30 }']).run(
        plan('a', 'b'),
        { traceId: 't' },
        new AbortController().signal,
        slowFailure,
      ),
    );
    expect(error.provider).toBe('a');
    expect(calls.map((c) => c.id)).toEqual(['a']);
  });

  it('neither retries nor falls over once the caller went away', async () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const call = (t: PlannedTarget, c: ProviderCall) => {
      calls.push(t.provider.id);
      expect(c.signal).toBe(controller.signal);
      controller.abort();
      return Promise.reject(failure(ErrorCode.ProviderError, t.provider.id, true));
    };
    await rejection(executor().run(plan('a', 'b'), { traceId: 't' }, controller.signal, call));
    expect(calls).toEqual(['a']);
  });

  describe('streams', () => {
    const chunks = (id: string, n: number) => Array.from({ length: n }, (_, i) => `${id}${i}`);

    it('falls over before the first chunk and names the answering target at that chunk', async () => {
      const opened: string[] = [];
      const routed = executor().stream(plan('a', 'b'), { traceId: 't' }, (t) => {
        opened.push(t.provider.id);
        if (t.provider.id === 'a') {
          return new Observable<string>((s) => s.error(failure(ErrorCode.ProviderError, 'a')));
        }
        return new Observable<string>((s) => {
          for (const chunk of chunks('b', 3)) s.next(chunk);
          s.complete();
        });
      });
      expect(routed.answer()).toBeUndefined();
      expect(opened).toEqual([]);
      expect(await firstValueFrom(routed.events$.pipe(toArray()))).toEqual(['b0', 'b1', 'b2']);
      expect(routed.answer()).toEqual({ provider: 'b', model: 'b-upstream', failedOver: ['a'] });
      expect(opened).toEqual(['a', 'b']);
    });

    it('ends with the error, and tries no other target, when a stream fails after its first chunk', async () => {
      const opened: string[] = [];
      const routed = executor().stream(plan('a', 'b'), { traceId: 't' }, (t) => {
        opened.push(t.provider.id);
        return new Observable<string>((s) => {
          s.next('a0');
          setTimeout(() => s.error(failure(ErrorCode.ProviderError, 'a', true)), 5);
        });
      });
      const seen: string[] = [];
      const error = await new Promise<unknown>((resolve) =>
        routed.events$.subscribe({ next: (c) => seen.push(c), error: resolve }),
      );
      expect((error as GatewayError).provider).toBe('a');
      expect(seen).toEqual(['a0']);
      expect(opened).toEqual(['a']);
    });

    it('aborts the upstream attempt and starts no other when the caller unsubscribes', async () => {
      const upstream = new Subject<string>();
      let torndown = 0;
      const opened: string[] = [];
      const routed = executor().stream(plan('a', 'b'), { traceId: 't' }, (t) => {
        opened.push(t.provider.id);
        return new Observable<string>((s) => {
          const sub = upstream.subscribe(s);
          return () => {
            torndown++;
            sub.unsubscribe();
          };
        });
      });
      const subscription = routed.events$.subscribe({ error: () => undefined });
      await new Promise((r) => setTimeout(r, 5));
      subscription.unsubscribe();
      expect(torndown).toBe(1);
      await new Promise((r) => setTimeout(r, 20));
      expect(opened).toEqual(['a']);
    });
  });
  describe('with a traced call', () => {
    /** A trace that records every attempt span: what it observed and how it ended. */
    const recording = () => {
      const spans: { target: string; seen: unknown[]; end?: string }[] = [];
      const trace: CallTrace = {
        attempt: (provider, model) => {
          const span: (typeof spans)[number] = { target: `${provider}:${model}`, seen: [] };
          spans.push(span);
          return {
            traceContext: { traceparent: `span-${spans.length}` },
            observe: (value) => span.seen.push(value),
            end: (error) => (span.end = error === undefined ? 'ok' : (error as GatewayError).code),
            cancel: () => (span.end = 'cancelled'),
          };
        },
      };
      return { spans, trace };
    };

    it('sends no trace context upstream when the call is not traced', async () => {
      const { call, calls } = answering({});
      await executor().run(plan('a'), { traceId: 't' }, new AbortController().signal, call);
      expect(calls).toHaveLength(1);
      expect(calls[0].call.traceContext).toBeUndefined();
    });

    it('opens one span per upstream attempt, retries and fallbacks included, each ended once', async () => {
      const { spans, trace } = recording();
      const { call, calls } = answering({
        a: [
          failure(ErrorCode.ProviderError, 'a', true),
          failure(ErrorCode.ProviderError, 'a', true),
        ],
      });
      const routed = await executor().run(
        plan('a', 'b'),
        { traceId: 't', trace },
        new AbortController().signal,
        call,
      );
      expect(routed.value).toBe('b answers');
      // Each attempt is sent upstream naming its own span.
      expect(calls.map((c) => c.call.traceContext)).toEqual([
        { traceparent: 'span-1' },
        { traceparent: 'span-2' },
        { traceparent: 'span-3' },
      ]);
      expect(spans).toEqual([
        { target: 'a:a-upstream', seen: [], end: ErrorCode.ProviderError },
        { target: 'a:a-upstream', seen: [], end: ErrorCode.ProviderError },
        { target: 'b:b-upstream', seen: ['b answers'], end: 'ok' },
      ]);
    });

    it('keeps a stream attempt open until its last chunk, and cancels it when the caller leaves', async () => {
      const { spans, trace } = recording();
      const sent: unknown[] = [];
      const routed = executor().stream(
        plan('a'),
        { traceId: 't', trace },
        (_target, providerCall) =>
          new Observable<string>((s) => {
            sent.push(providerCall.traceContext);
            s.next('c1');
            s.next('c2');
            s.complete();
          }),
      );
      expect(await firstValueFrom(routed.events$.pipe(toArray()))).toEqual(['c1', 'c2']);
      expect(spans).toEqual([{ target: 'a:a-upstream', seen: ['c1', 'c2'], end: 'ok' }]);
      expect(sent).toEqual([{ traceparent: 'span-1' }]);

      const endless = recording();
      const source = new Subject<string>();
      const cut = executor().stream(
        plan('a'),
        { traceId: 't', trace: endless.trace },
        () => source,
      );
      const seen: string[] = [];
      const subscription = cut.events$.subscribe((c) => seen.push(c));
      source.next('first');
      await new Promise((resolve) => setImmediate(resolve));
      subscription.unsubscribe();
      expect(seen).toEqual(['first']);
      expect(endless.spans).toEqual([
        { target: 'a:a-upstream', seen: ['first'], end: 'cancelled' },
      ]);
    });

    it('opens no span when the call is not traced', async () => {
      const { call } = answering({});
      const routed = await executor().run(
        plan('a'),
        { traceId: 't' },
        new AbortController().signal,
        call,
      );
      expect(routed.value).toBe('a answers');
    });
  });
});
