import { randomBytes } from 'node:crypto';
import { MAX_TOOL_CALL_ID_LENGTH } from '../llm-provider.types.js';
import {
  newToolCallKey,
  SKIP_THOUGHT_SIGNATURE,
  thoughtSignatureOf,
  toolCallId,
} from './gemini-tool-call-id.mapper.js';

describe('Gemini tool-call ids', () => {
  const key = 'AbCdEfGh12345678';

  it('mints distinct 16-character alphanumeric keys', () => {
    const keys = new Set(Array.from({ length: 200 }, () => newToolCallKey()));
    expect(keys.size).toBe(200);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9]{16}$/);
  });

  it('gives a call without a signature a plain id that restores nothing', () => {
    const id = toolCallId(key, undefined);
    expect(id).toBe(`call_${key}`);
    expect(thoughtSignatureOf(id)).toBeUndefined();
  });

  it.each([
    [0, 30],
    [1, 29],
    [2, 28],
  ])('carries a signature with %i padding characters and restores it exactly', (padding, bytes) => {
    // Start with the URL-unsafe characters so their translation is exercised.
    const signature = `+/${randomBytes(bytes).toString('base64').slice(2)}`;
    expect(
      signature.endsWith('='.repeat(padding)) && !signature.endsWith('='.repeat(padding + 1)),
    ).toBe(true);
    const id = toolCallId(key, signature);

    expect(id).toMatch(/^call_[A-Za-z0-9]{16}_s[A-Za-z0-9_-]+$/);
    expect(id.length).toBeLessThanOrEqual(MAX_TOOL_CALL_ID_LENGTH);
    expect(thoughtSignatureOf(id)).toBe(signature);
  });

  it('marks a signature too long for an id, and restores it as the skip sentinel', () => {
    const signature = randomBytes(MAX_TOOL_CALL_ID_LENGTH).toString('base64');
    const id = toolCallId(key, signature);

    expect(id).toBe(`call_${key}_x`);
    expect(thoughtSignatureOf(id)).toBe(SKIP_THOUGHT_SIGNATURE);
  });

  it('does not carry a signature that is not standard base64', () => {
    expect(toolCallId(key, 'not base64!')).toBe(`call_${key}_x`);
    expect(toolCallId(key, 'abc-_def')).toBe(`call_${key}_x`);
  });

  it.each([
    'call_abc',
    'call_9',
    'toolu_01A09q90qw90lq917835lq9',
    `call_${key}_zzz`,
    `xcall_${key}_sAAAA`,
  ])('restores nothing from an id the gateway did not mint (%s)', (id) => {
    expect(thoughtSignatureOf(id)).toBeUndefined();
  });
});
