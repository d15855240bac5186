/**
 * ChatGLM on Zhipu BigModel (wire-formats section 13): base path `/api/paas/v4`, chat and
 * embeddings (floats only; no models list). Answers and chunks carry `request_id` and no `object`;
 * intermediate chunks have no `finish_reason`; every delta repeats the role; usage rides on the
 * final chunk without being asked; tool calls come whole. Errors are
 * `{"error":{"code":"1210","message":...}}` with string business codes: 1001/1002 auth (401),
 * 1210 bad parameter, 1211 unknown model, 1301 content filter, 1302/1305 rate limit (429). A
 * reply with `finishReason: 'sensitive'` reproduces output stopped by the content filter. Refuses
 * `stop` with more than one entry, `tool_choice` other than `auto`, and `json_schema`.
 */
import type { FakeAnswer, FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect } from './fake-dialect.js';
import {
  asRecord,
  hex,
  OPENAI_COMPATIBLE_DEFAULTS,
  responseFormatType,
} from './fake-dialect.helpers.js';

export const FAKE_CHATGLM_API_KEY = 'fakezhipu0123456789abcdef.FakeSecret012345';

/** Zhipu's envelope with a string business code. */
export function chatglmError(code: string, message: string): unknown {
  return { error: { code, message } };
}

const INVALID_PARAMETER = 'API 调用参数有误，请检查文档。';

/** The 400 answer to a prompt the content filter stops (code 1301). */
export const CHATGLM_CONTENT_FILTER: FakeAnswer = {
  status: 400,
  body: chatglmError(
    '1301',
    '系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。',
  ),
};

const answer = (status: number, code: string, message: string): FakeAnswer => ({
  status,
  body: chatglmError(code, message),
});

const invalid = (detail: string) => answer(400, '1210', `${INVALID_PARAMETER}${detail}`);

const FAILURES: Record<number, FakeAnswer> = {
  400: invalid(''),
  401: answer(401, '1002', 'Authorization Token非法，请确认Authorization Token正确传递。'),
  404: answer(404, '1211', '模型不存在，请检查模型代码。'),
  429: answer(429, '1302', '您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。'),
  500: answer(500, '500', '服务内部错误，请稍后重试。'),
};

export const CHATGLM_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'chatglm',
  basePath: '/api/paas/v4',
  defaultApiKey: FAKE_CHATGLM_API_KEY,
  defaultModels: ['glm-4.5', 'glm-4-plus', 'glm-4v-plus', 'embedding-3'],
  modelOwner: 'zhipuai',
  modelsList: undefined,
  embeddings: { base64: false },
  authenticate: (headers, apiKey) => {
    const header = headers.authorization;
    if (header === `Bearer ${apiKey}`) return undefined;
    if (header === undefined) {
      return answer(401, '1001', 'Header中未收到Authorization参数，无法进行身份验证。');
    }
    return FAILURES[401];
  },
  error: (status, spec: FakeErrorSpec) =>
    chatglmError(spec.code ?? (status === 400 ? '1210' : String(status)), spec.message),
  failure: (status) => FAILURES[status] ?? answer(status, String(status), '请求失败。'),
  streamError: () => chatglmError('500', '服务内部错误，请稍后重试。'),
  modelNotFound: () => answer(400, '1211', '模型不存在，请检查模型代码。'),
  notFound: () => answer(404, '404', 'Not Found'),
  checkChat: ({ body }) => {
    if (Array.isArray(body.stop) && body.stop.length > 1) return invalid('stop 仅支持一个停止词');
    const choice = body.tool_choice;
    if (choice !== undefined && choice !== 'auto') return invalid('tool_choice 仅支持 auto');
    if (responseFormatType(body) === 'json_schema')
      return invalid('response_format 仅支持 json_object');
    return undefined;
  },
  completionId: (sequence) => `20250707${hex(sequence, 12)}${hex(sequence + 9, 8)}`,
  toolCallId: (sequence, index) => `call_${String(8231168139794583 + sequence * 10 + index)}`,
  toolCallDeltas: 'whole',
  streamUsage: 'finish',
  usageNullWhenAsked: false,
  sparseChunks: true,
  finishDelta: () => ({ role: 'assistant', content: '' }),
  // Zhipu's answers have no `object`; every delta repeats the role.
  decorateCompletion: (body) => {
    delete body.object;
    body.request_id = body.id;
  },
  decorateChunk: (chunk) => {
    delete chunk.object;
    chunk.request_id = chunk.id;
    const delta = asRecord(asRecord((chunk.choices as unknown[])[0])?.delta);
    if (delta) delta.role = 'assistant';
  },
};
