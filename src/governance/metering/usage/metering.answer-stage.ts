import { Injectable } from '@nestjs/common';
import { type MonoTypeOperatorFunction, tap } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk } from '../../../providers/llm-provider.types.js';
import { AnswerStage, type ChatAnswerPart } from '../../pipeline/answer-stage.js';
import type { GovernanceContext } from '../../pipeline/governance-context.js';

/**
 * Metering's answer-side operator (contract 8 stage 10): keeps the text that reaches the caller,
 * so a call whose upstream reported no usage, or whose stream was cut, is settled on what was
 * actually delivered (estimated, flagged). It holds references to the chunks' strings, nothing
 * is copied or tokenized here; that happens at settlement, and only when the usage is missing.
 * It runs last, after any stage that rewrites the answer.
 */
@Injectable()
export class MeteringAnswerStage extends AnswerStage {
  operator(context: GovernanceContext): MonoTypeOperatorFunction<ChatAnswerPart> {
    return tap((part) => {
      const delivered = (context.delivered ??= []);
      if (part.kind === 'chunk') keepChunk(delivered, part.value);
      else if (part.value.usage === undefined) keepCompletion(delivered, part.value);
    });
  }
}

function keepChunk(delivered: string[], chunk: ChatCompletionChunk): void {
  for (const choice of chunk.choices) {
    const { content, tool_calls } = choice.delta;
    if (typeof content === 'string' && content.length > 0) delivered.push(content);
    for (const call of tool_calls ?? []) {
      if (call.function?.name) delivered.push(call.function.name);
      if (call.function?.arguments) delivered.push(call.function.arguments);
    }
  }
}

function keepCompletion(delivered: string[], completion: ChatCompletion): void {
  for (const choice of completion.choices) {
    const { content, tool_calls } = choice.message;
    if (typeof content === 'string') delivered.push(content);
    for (const call of tool_calls ?? [])
      delivered.push(call.function.name, call.function.arguments);
  }
}
