import { MAX_SSE_EVENT_CHARS, SseEvent, SseEventParser } from './sse-event.parser.js';
import { UpstreamHttpError } from './upstream-http.error.js';

const encoder = new TextEncoder();

/** Feeds `pieces` (strings or raw bytes) through one parser, then ends it. */
function parse(pieces: (string | Uint8Array)[]): SseEvent[] {
  const parser = new SseEventParser();
  const events: SseEvent[] = [];
  for (const piece of pieces) {
    events.push(...parser.push(typeof piece === 'string' ? encoder.encode(piece) : piece));
  }
  events.push(...parser.end());
  return events;
}

function data(events: SseEvent[]): string[] {
  return events.map((e) => e.data);
}

/** An OpenAI stream as the API sends it (composed per wire-formats section 1.3). */
const OPENAI_STREAM = [
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  '',
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Grüße, 世界 🌍"},"finish_reason":null}]}',
  '',
  'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const OPENAI_PAYLOADS = [
  '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
  '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Grüße, 世界 🌍"},"finish_reason":null}]}',
  '{"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
  '[DONE]',
];

describe(SseEventParser.name, () => {
  it('parses an OpenAI stream delivered in one chunk', () => {
    expect(data(parse([OPENAI_STREAM]))).toEqual(OPENAI_PAYLOADS);
  });

  it('returns events as soon as their blank line arrives, not at the end', () => {
    const parser = new SseEventParser();
    expect(parser.push(encoder.encode('data: one\n'))).toEqual([]);
    expect(data(parser.push(encoder.encode('\ndata: tw')))).toEqual(['one']);
    expect(data(parser.push(encoder.encode('o\n\n')))).toEqual(['two']);
    expect(parser.end()).toEqual([]);
  });

  it('gives the same events however the bytes are split, mid-line and mid-UTF-8 included', () => {
    const bytes = encoder.encode(OPENAI_STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      const events = parse([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(data(events)).toEqual(OPENAI_PAYLOADS);
    }
  });

  it.each([
    ['\\n', '\n'],
    ['\\r\\n', '\r\n'],
    ['\\r', '\r'],
  ])('keeps multi-line events whole with %s endings, however the bytes are split', (_n, eol) => {
    const text = [
      ': keep-alive',
      'event: message',
      'data: {"a":"Grüße 世界 🌍"}',
      'data:second line',
      '',
      'data: [DONE]',
      '',
      '',
    ].join(eol);
    const expected = [
      { event: 'message', data: '{"a":"Grüße 世界 🌍"}\nsecond line', id: undefined },
      { event: undefined, data: '[DONE]', id: undefined },
    ];
    const bytes = encoder.encode(text);
    expect(parse([bytes])).toEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parse([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    }
  });

  it('decodes multi-byte characters delivered one byte per chunk', () => {
    const bytes = encoder.encode('data: 世界 🌍 é\n\n');
    const pieces = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(data(parse(pieces))).toEqual(['世界 🌍 é']);
  });

  it.each([
    ['\\r\\n', '\r\n'],
    ['\\r', '\r'],
    ['\\n', '\n'],
  ])('accepts %s line endings', (_name, eol) => {
    const text = OPENAI_STREAM.split('\n').join(eol);
    expect(data(parse([text]))).toEqual(OPENAI_PAYLOADS);
  });

  it('treats a CRLF split between two chunks as one line end', () => {
    expect(data(parse(['data: a\r', '\ndata: b\r', '\n\r', '\n']))).toEqual(['a\nb']);
  });

  it('accepts data: without the space after the colon, and removes only one space', () => {
    expect(data(parse(['data:{"a":1}\n\n', 'data:  two spaces\n\n']))).toEqual([
      '{"a":1}',
      ' two spaces',
    ]);
  });

  it('ignores comment lines such as keep-alives', () => {
    const text = ': keep-alive\n\n:another\ndata: x\n: between\n\n: keep-alive\n\n';
    expect(data(parse([text]))).toEqual(['x']);
  });

  it('joins multi-line data with \\n', () => {
    expect(data(parse(['data: line 1\ndata: line 2\ndata:\n\n']))).toEqual(['line 1\nline 2\n']);
  });

  it('reports event names and resets them after each event', () => {
    const text =
      'event: message_start\ndata: {"type":"message_start"}\n\ndata: {"type":"unnamed"}\n\n';
    expect(parse([text])).toEqual([
      { event: 'message_start', data: '{"type":"message_start"}', id: undefined },
      { event: undefined, data: '{"type":"unnamed"}', id: undefined },
    ]);
  });

  it('keeps the last event id and ignores unknown fields and retry', () => {
    const events = parse(['id: 7\nretry: 1000\nfoo: bar\ndata: a\n\ndata: b\n\n']);
    expect(events.map((e) => [e.id, e.data])).toEqual([
      ['7', 'a'],
      ['7', 'b'],
    ]);
  });

  it('dispatches nothing for an event without data lines', () => {
    expect(parse(['event: ping\n\n', 'id: 1\n\n'])).toEqual([]);
  });

  it('dispatches a final event that the upstream did not terminate with a blank line', () => {
    expect(data(parse(['data: {"a":1}\n\ndata: [DONE]']))).toEqual(['{"a":1}', '[DONE]']);
    expect(data(parse(['data: [DONE]\n']))).toEqual(['[DONE]']);
  });

  it('skips a UTF-8 byte order mark at the start of the stream', () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    expect(data(parse([bom, 'data: x\n\n']))).toEqual(['x']);
  });

  it('treats a line with no colon as a field name with an empty value', () => {
    expect(data(parse(['data\n\n']))).toEqual(['']);
  });

  it('refuses an event that grows past its bound, as one endless line or endless data lines', () => {
    const megabyte = encoder.encode('a'.repeat(1024 * 1024));
    const endlessLine = new SseEventParser();
    endlessLine.push(encoder.encode('data: '));
    const feed = (parser: SseEventParser, chunk: Uint8Array) => () => {
      for (let i = 0; i <= MAX_SSE_EVENT_CHARS / chunk.length + 1; i++) parser.push(chunk);
    };
    expect(feed(endlessLine, megabyte)).toThrow(UpstreamHttpError);
    const dataLines = new SseEventParser();
    const line = encoder.encode(`data: ${'b'.repeat(1024 * 1024)}\n`);
    expect(feed(dataLines, line)).toThrow(/without ending/);
  });

  it('keeps no bound across events: many ordinary events of any total size pass', () => {
    const parser = new SseEventParser();
    const event = encoder.encode(`data: ${'c'.repeat(1024 * 1024)}\n\n`);
    let count = 0;
    for (let i = 0; i < 40; i++) count += parser.push(event).length;
    expect(count).toBe(40);
  });
});
