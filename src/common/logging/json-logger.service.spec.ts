import { JsonLogger } from './json-logger.service.js';
import { REDACTED } from './log-redaction.js';

function capture(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const logger = new JsonLogger(level, { write: (line: string) => void lines.push(line) });
  return { logger, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

describe(JsonLogger.name, () => {
  it('writes one JSON object per call with the context, the message and the fields', () => {
    const { logger, parsed } = capture();
    logger.log({ msg: 'hello', trace_id: 't-1', status: 200 }, 'Access');
    logger.log('plain text', 'Gateway');
    expect(parsed()).toEqual([
      expect.objectContaining({
        level: 30,
        context: 'Access',
        msg: 'hello',
        trace_id: 't-1',
        status: 200,
      }),
      expect.objectContaining({ level: 30, context: 'Gateway', msg: 'plain text' }),
    ]);
  });

  it('redacts secrets wherever a call site put them: top level, headers, credentials', () => {
    const { logger, parsed } = capture();
    logger.warn(
      {
        msg: 'careless',
        authorization: 'Bearer gw_top',
        'x-api-key': 'gw_header_key',
        key: 'gw_plaintext',
        token: 'admin-token',
        headers: {
          authorization: 'Bearer sk-upstream',
          'x-goog-api-key': 'AIza-secret',
          accept: 'x',
        },
        req: { headers: { cookie: 'session=1', 'x-api-key': 'gw_req' } },
        credentials: { apiKey: 'sk-tenant', secretAccessKey: 'aws-secret', accessKeyId: 'AKIA' },
        err: { hmacSecret: 'audit-secret', message: 'kept' },
        key_id: 'k-1',
      },
      'Careless',
    );
    const [line] = parsed();
    expect(JSON.stringify(line)).not.toMatch(
      /gw_top|gw_header_key|gw_plaintext|admin-token|sk-upstream|AIza-secret|session=1|gw_req|sk-tenant|aws-secret|AKIA|audit-secret/,
    );
    expect(line).toMatchObject({
      authorization: REDACTED,
      'x-api-key': REDACTED,
      key: REDACTED,
      token: REDACTED,
      headers: { authorization: REDACTED, 'x-goog-api-key': REDACTED, accept: 'x' },
      req: { headers: { cookie: REDACTED, 'x-api-key': REDACTED } },
      credentials: { apiKey: REDACTED, secretAccessKey: REDACTED, accessKeyId: REDACTED },
      err: { hmacSecret: REDACTED, message: 'kept' },
      key_id: 'k-1',
    });
  });

  it('drops lines below its level', () => {
    const { logger, parsed } = capture('warn');
    logger.log({ msg: 'info line' }, 'Access');
    logger.warn({ msg: 'warn line' }, 'Access');
    expect(parsed().map((l) => l.msg)).toEqual(['warn line']);
  });
});
