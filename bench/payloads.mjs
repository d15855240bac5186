// The requests every lane sends, identical for the direct upstream, the reference and the gateway.
export const CHAT_PATH = '/v1/chat/completions';
export const MODEL = 'gpt-4o-mini';

const MESSAGES = [
  { role: 'system', content: 'You are a concise assistant. Answer in two sentences at most.' },
  {
    role: 'user',
    content: 'What is the capital of France, and since when has it been the capital?',
  },
];

export const CHAT_BODY = JSON.stringify({
  model: MODEL,
  messages: MESSAGES,
  temperature: 0.2,
  max_tokens: 128,
});

export const STREAM_BODY = JSON.stringify({
  model: MODEL,
  messages: MESSAGES,
  temperature: 0.2,
  max_tokens: 128,
  stream: true,
  stream_options: { include_usage: true },
});

export const REQUEST_HEADERS = {
  'content-type': 'application/json',
  authorization: 'Bearer sk-bench-client',
};
