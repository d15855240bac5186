import {
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  defaultTextMapSetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
} from '@opentelemetry/semantic-conventions';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { nanoToUsd } from '../../governance/metering/pricing/cost.calculator.js';
import type {
  CallOutcome,
  GovernanceContext,
} from '../../governance/pipeline/governance-context.js';
import type { AttemptTrace, CallTrace } from '../../routing/attempt-trace.js';
import { AnswerFacts } from './answer-facts.js';
import {
  GATEWAY_CLIENT_GONE,
  GATEWAY_COST_USD,
  GATEWAY_FALLBACK,
  GATEWAY_KEY_ID,
  GATEWAY_PROVIDER_ID,
  GATEWAY_TENANT,
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROVIDER_NAME,
  GEN_AI_REQUEST_MAX_TOKENS,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_REQUEST_TEMPERATURE,
  GEN_AI_RESPONSE_FINISH_REASONS,
  GEN_AI_RESPONSE_ID,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_USAGE_INPUT_TOKENS,
  GEN_AI_USAGE_OUTPUT_TOKENS,
} from './gen-ai.attributes.js';

/** The GenAI operation of a call kind; other calls (models, unknown paths) have none. */
function operationOf(context: GovernanceContext): string | undefined {
  switch (context.kind) {
    case 'chat':
      return 'chat';
    case 'embeddings':
      return 'embeddings';
    case 'models':
    case 'other':
      return undefined;
  }
}

/** The request attributes shared by the server span and every attempt span. */
function setRequestAttributes(span: Span, context: GovernanceContext): void {
  const operation = operationOf(context);
  if (operation !== undefined) span.setAttribute(GEN_AI_OPERATION_NAME, operation);
  const facts = context.facts;
  if (facts?.maxTokens !== undefined) span.setAttribute(GEN_AI_REQUEST_MAX_TOKENS, facts.maxTokens);
  const temperature = (context.body as { temperature?: unknown } | undefined)?.temperature;
  if (typeof temperature === 'number') span.setAttribute(GEN_AI_REQUEST_TEMPERATURE, temperature);
}

/** A provider id's `gen_ai.provider.name`: its vendor's semantic-conventions name, else the id. */
export type ProviderNamer = (providerId: string) => string;

/** Stateless: one for every call. */
const propagator = new W3CTraceContextPropagator();

/**
 * `traceparent` (and `tracestate`, when the trace carries one) naming `span`, for the upstream
 * request, so a provider-side or egress-proxy trace becomes a child of the attempt. A span the
 * sampler dropped is still named, with its flags saying so (W3C Trace Context, section 3.2).
 */
function traceContextOf(span: Span, parent: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(parent, span), headers, defaultTextMapSetter);
  return headers;
}

function errorType(error: unknown): string {
  if (error instanceof GatewayError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * A traced /v1 call: its server span, opened when the call arrives and ended at settlement, and
 * the client spans of its upstream attempts, children of it. Attribute values are ids, names and
 * numbers: no prompt, answer or credential.
 */
export class OtelCallTrace implements CallTrace {
  private readonly parent: Context;
  /** The last attempt that answered: the server span reports what it said. */
  private answered?: AnswerFacts;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    parent: Context,
    private readonly context: GovernanceContext,
    private readonly providerName: ProviderNamer,
  ) {
    this.parent = trace.setSpan(parent, span);
  }

  attempt(provider: string, model: string, serverAddress?: string): AttemptTrace {
    const operation = operationOf(this.context) ?? 'chat';
    const span = this.tracer.startSpan(
      `${operation} ${model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [GEN_AI_OPERATION_NAME]: operation,
          [GEN_AI_PROVIDER_NAME]: this.providerName(provider),
          [GATEWAY_PROVIDER_ID]: provider,
          [GEN_AI_REQUEST_MODEL]: model,
        },
      },
      this.parent,
    );
    if (serverAddress !== undefined) span.setAttribute(ATTR_SERVER_ADDRESS, serverAddress);
    setRequestAttributes(span, this.context);
    const facts = new AnswerFacts();
    return {
      traceContext: traceContextOf(span, this.parent),
      observe: (value) => facts.observe(value),
      end: (error) => {
        if (error === undefined) {
          this.answered = facts;
          // A stream's usage chunk may have been kept from the caller: metering saw it.
          const usage = this.context.usage;
          facts.inputTokens ??= usage?.inputTokens;
          facts.outputTokens ??= usage?.outputTokens;
        } else {
          span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        setAnswerAttributes(span, facts);
        span.end();
      },
      cancel: () => {
        span.setAttribute(GATEWAY_CLIENT_GONE, true);
        setAnswerAttributes(span, facts);
        span.end();
      },
    };
  }

  /** Ends the server span with how the call ended (contract 14). */
  end(outcome: CallOutcome): void {
    const span = this.span;
    const context = this.context;
    setRequestAttributes(span, context);
    if (context.facts !== undefined) span.setAttribute(GEN_AI_REQUEST_MODEL, context.facts.model);
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
    if (context.tenant !== undefined) span.setAttribute(GATEWAY_TENANT, context.tenant.id);
    if (context.keyId !== undefined) span.setAttribute(GATEWAY_KEY_ID, context.keyId);
    const answer = context.answeredBy;
    if (answer !== undefined) {
      span.setAttribute(GEN_AI_PROVIDER_NAME, this.providerName(answer.provider));
      span.setAttribute(GATEWAY_PROVIDER_ID, answer.provider);
      span.setAttribute(GATEWAY_FALLBACK, answer.failedOver.length > 0);
      const facts = this.answered ?? new AnswerFacts();
      facts.model ??= answer.model;
      setAnswerAttributes(span, facts);
    }
    const usage = context.cost?.usage ?? context.usage;
    if (usage !== undefined) {
      span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
      span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
    }
    if (context.cost !== undefined)
      span.setAttribute(GATEWAY_COST_USD, nanoToUsd(context.cost.nano));
    if (outcome.clientGone) span.setAttribute(GATEWAY_CLIENT_GONE, true);
    if (outcome.error !== undefined) span.setAttribute(ATTR_ERROR_TYPE, outcome.error.code);
    // HTTP conventions: a server span is an error for 5xx only; 4xx are the caller's.
    if (outcome.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
}

function setAnswerAttributes(span: Span, facts: AnswerFacts): void {
  if (facts.model !== undefined) span.setAttribute(GEN_AI_RESPONSE_MODEL, facts.model);
  if (facts.id !== undefined) span.setAttribute(GEN_AI_RESPONSE_ID, facts.id);
  const reasons = facts.finishReasons;
  if (reasons !== undefined) span.setAttribute(GEN_AI_RESPONSE_FINISH_REASONS, reasons);
  if (facts.inputTokens !== undefined)
    span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, facts.inputTokens);
  if (facts.outputTokens !== undefined) {
    span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, facts.outputTokens);
  }
}
