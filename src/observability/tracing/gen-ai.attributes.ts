/*
 * OpenTelemetry's GenAI semantic conventions (still "development" there, so not in the stable
 * entry point of @opentelemetry/semantic-conventions):
 * https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/
 */
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';

/** The gateway's own attributes: the X-Trace-ID and governance facts of the call. */
export const GATEWAY_TRACE_ID = 'gateway.trace_id';
export const GATEWAY_TENANT = 'gateway.tenant.id';
export const GATEWAY_KEY_ID = 'gateway.api_key.id';
/** The gateway's provider id (`azure-openai`), beside `gen_ai.provider.name` (`azure.ai.openai`). */
export const GATEWAY_PROVIDER_ID = 'gateway.provider.id';
export const GATEWAY_COST_USD = 'gateway.cost_usd';
export const GATEWAY_CLIENT_GONE = 'gateway.client_gone';
export const GATEWAY_FALLBACK = 'gateway.fallback';
