import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type {
  ChatCompletionChunk,
  ChunkChoice,
  FinishReason,
  ToolCallDelta,
  Usage,
} from '../llm-provider.types.js';
import { type AnswerFrame, malformed, toFinishReason, toUsage } from './bedrock-response.mapper.js';

/**
 * Turns the events of one ConverseStream (wire-formats 5.3) into the chunks the gateway emits
 * (contract 4.3). One reader per stream; it does no I/O.
 *
 * - The role rides on the first chunk that has something to say, so a stream that fails before
 *   any content still fails as an ordinary HTTP error.
 * - Tool calls are numbered 0, 1, ... in the order they start, whatever Bedrock's content block
 *   index (text blocks take indexes too): the opener carries id and name, then argument fragments.
 * - The rewritten `json_schema` tool streams its input as `delta.content`, and text beside it is
 *   dropped so the content parses as JSON.
 * - `metadata` (usage) comes after `messageStop`: usage is held back for {@link finish}.
 */
export class BedrockStreamReader {
  private roleSent = false;
  private stopReason: string | undefined;
  private usage: Usage | undefined;
  private nextToolIndex = 0;
  /** Bedrock content block index -> OpenAI tool-call index, or `structured` for the json tool. */
  private readonly blocks = new Map<number, number | 'structured'>();

  constructor(private readonly frame: AnswerFrame) {}

  /** True once `messageStop` arrived. */
  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /** The chunks to emit for one event (usually one, none for bookkeeping events). */
  read(event: ConverseStreamOutput): ChatCompletionChunk[] {
    if (event.contentBlockStart !== undefined) {
      const { contentBlockIndex, start } = event.contentBlockStart;
      const toolUse = start?.toolUse;
      if (toolUse === undefined) return [];
      const block = requireIndex(contentBlockIndex);
      if (toolUse.name === this.frame.structuredTool) {
        this.blocks.set(block, 'structured');
        return [];
      }
      const index = this.nextToolIndex++;
      this.blocks.set(block, index);
      return [
        this.chunk({
          tool_calls: [
            {
              index,
              id: toolUse.toolUseId ?? '',
              type: 'function',
              function: { name: toolUse.name ?? '', arguments: '' },
            },
          ],
        }),
      ];
    }
    if (event.contentBlockDelta !== undefined) {
      const { contentBlockIndex, delta } = event.contentBlockDelta;
      if (delta?.text !== undefined) {
        if (this.frame.structuredTool !== undefined || delta.text === '') return [];
        return [this.chunk({ content: delta.text })];
      }
      const fragment = delta?.toolUse?.input;
      if (fragment === undefined || fragment === '') return [];
      const target = this.blocks.get(requireIndex(contentBlockIndex));
      if (target === undefined) throw malformed('a tool-use delta came before its block start');
      if (target === 'structured') return [this.chunk({ content: fragment })];
      const call: ToolCallDelta = { index: target, function: { arguments: fragment } };
      return [this.chunk({ tool_calls: [call] })];
    }
    if (event.messageStop !== undefined) {
      const reason = event.messageStop.stopReason;
      if (reason === undefined) throw malformed('messageStop has no stopReason');
      this.stopReason = reason;
      const finish = toFinishReason(reason, this.nextToolIndex > 0);
      return [this.chunk({}, finish)];
    }
    if (event.metadata !== undefined) {
      this.usage = toUsage(event.metadata.usage);
      return [];
    }
    // messageStart (the role is sent with the first content), contentBlockStop, reasoning and
    // events newer than this reader: nothing to emit.
    return [];
  }

  /**
   * Called at the end of the event stream: returns the trailing usage chunk when Bedrock sent
   * usage, or throws when the stream ended without `messageStop`.
   */
  finish(): ChatCompletionChunk | undefined {
    if (this.stopReason === undefined) throw malformed('stream ended without a finish reason');
    if (this.usage === undefined) return undefined;
    return { ...this.header(), choices: [], usage: this.usage };
  }

  private chunk(
    delta: ChunkChoice['delta'],
    finish: FinishReason | null = null,
  ): ChatCompletionChunk {
    const choice: ChunkChoice = { index: 0, delta, finish_reason: finish, logprobs: null };
    if (!this.roleSent) {
      this.roleSent = true;
      choice.delta = { role: 'assistant', ...delta };
    }
    return { ...this.header(), choices: [choice] };
  }

  private header(): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
    return {
      id: this.frame.id,
      object: 'chat.completion.chunk',
      created: this.frame.created,
      model: this.frame.model,
    };
  }
}

function requireIndex(index: number | undefined): number {
  if (index === undefined) throw malformed('a content block event has no contentBlockIndex');
  return index;
}
