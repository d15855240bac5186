import type { ChatCompletion, ToolCall } from '../../../providers/llm-provider.types.js';
import type { AnswerRewriter, PiiType } from '../pii.types.js';
import { applyEdits } from './answer-edits.js';
import { settleFindings } from './answer-findings.js';

/**
 * A JSON answer through the answer side of the PII stage (contract 9.3): each choice's `content`
 * and `refusal` rewritten with the rewriter's edits, each tool call's arguments with
 * `rewriteArguments`. Every finding is reported once; under BLOCK any finding throws
 * `pii_detected` instead of returning the answer. The completion given is not modified.
 */
export function rewriteCompletion(
  completion: ChatCompletion,
  rewriter: AnswerRewriter,
): ChatCompletion {
  const findings: PiiType[] = [];
  // Typed as present, but not every upstream sends both: an absent field stays absent.
  const rewrite = (text: string | null) =>
    typeof text !== 'string' || text === ''
      ? text
      : applyEdits(text, rewriter.edits(text), findings);
  const choices = completion.choices.map((choice) => {
    const { message } = choice;
    const rewritten: typeof message = {
      ...message,
      content: rewrite(message.content),
      refusal: rewrite(message.refusal),
    };
    if (message.tool_calls !== undefined) {
      rewritten.tool_calls = message.tool_calls.map((call) =>
        rewriteToolCall(call, rewriter, findings),
      );
    }
    // Token log probabilities spell out the text: once it is rewritten they would undo the
    // rewrite, so they go with it.
    const changed = rewritten.content !== message.content || rewritten.refusal !== message.refusal;
    return { ...choice, message: rewritten, ...(changed ? { logprobs: null } : {}) };
  });
  settleFindings(rewriter, findings);
  return { ...completion, choices };
}

function rewriteToolCall(call: ToolCall, rewriter: AnswerRewriter, findings: PiiType[]): ToolCall {
  if (call.function.arguments === '') return call;
  const { text, found } = rewriter.rewriteArguments(call.function.arguments);
  findings.push(...found);
  return { ...call, function: { ...call.function, arguments: text } };
}
