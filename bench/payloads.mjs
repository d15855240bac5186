// The requests every lane sends: the same bodies to every target; the headers differ only in the key.
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

// What a client sends to the fake upstream and the reference proxy: both ignore the key, so any
// bearer token does (it keeps the header work of a real client).
export const REQUEST_HEADERS = {
  'content-type': 'application/json',
  authorization: 'Bearer sk-bench-client',
};

// The gateway checks every presented key (401 invalid_api_key otherwise), so it is called either
// with no key at all (the dev profile runs such calls as tenant `default`) or with a real key.
export const KEYLESS_HEADERS = { 'content-type': 'application/json' };

export function bearerHeaders(key) {
  return { 'content-type': 'application/json', authorization: `Bearer ${key}` };
}
