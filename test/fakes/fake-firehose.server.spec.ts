import OpenAI from 'openai';
import { FakeFirehoseServer, firehoseContent } from './fake-firehose.server.js';

/** The firehose speaks OpenAI's stream format: checked with the official `openai` SDK. */
describe(FakeFirehoseServer.name, () => {
  const fake = new FakeFirehoseServer({ chunks: 50, chunkChars: 100 });
  let client: OpenAI;

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    client = new OpenAI({ apiKey: fake.apiKey, baseURL: baseUrl, maxRetries: 0 });
  });
  afterAll(() => fake.close());

  it('streams numbered chunks in order, then a finish, and counts every byte it wrote', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
    });
    const contents: string[] = [];
    const finishes: (string | null)[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) contents.push(content);
      finishes.push(chunk.choices[0]?.finish_reason ?? null);
    }

    expect(contents).toEqual(Array.from({ length: 50 }, (_, i) => firehoseContent(i, 100)));
    expect(contents.every((content) => content.length === 100)).toBe(true);
    expect(finishes[finishes.length - 1]).toBe('stop');
    expect(fake.finished).toBe(true);
    expect(fake.bytesWritten).toBe(fake.totalBytes);
  });

  it('refuses a wrong key as OpenAI does, and what it does not serve', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: client.baseURL, maxRetries: 0 });

    await expect(
      wrong.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
