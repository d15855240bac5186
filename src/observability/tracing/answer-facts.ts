/**
 * What an upstream attempt's answer says of itself, gathered from its OpenAI-shaped answer
 * (chat completion, embeddings result) or from its stream chunks, for the GenAI span attributes.
 * Adapters normalise every vendor to these shapes, so no vendor knowledge is needed here.
 */
export class AnswerFacts {
  model?: string;
  id?: string;
  inputTokens?: number;
  outputTokens?: number;
  private reasons?: Set<string>;

  get finishReasons(): string[] | undefined {
    return this.reasons === undefined ? undefined : [...this.reasons];
  }

  /** Reads one answer or chunk; anything it does not recognise is ignored. */
  observe(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    const answer = value as {
      id?: unknown;
      model?: unknown;
      choices?: unknown;
      usage?: unknown;
    };
    if (typeof answer.model === 'string' && answer.model !== '') this.model ??= answer.model;
    if (typeof answer.id === 'string' && answer.id !== '') this.id ??= answer.id;
    if (Array.isArray(answer.choices)) {
      for (const choice of answer.choices as { finish_reason?: unknown }[]) {
        if (typeof choice?.finish_reason === 'string') {
          (this.reasons ??= new Set()).add(choice.finish_reason);
        }
      }
    }
    if (typeof answer.usage === 'object' && answer.usage !== null) {
      const usage = answer.usage as { prompt_tokens?: unknown; completion_tokens?: unknown };
      if (typeof usage.prompt_tokens === 'number') this.inputTokens = usage.prompt_tokens;
      if (typeof usage.completion_tokens === 'number') this.outputTokens = usage.completion_tokens;
    }
  }
}
