import { describe, expect, it } from '@jest/globals';
import { compilePiiDetector } from './pii-detector.js';

const all = compilePiiDetector({ types: new Set(), customPatterns: [] });

/** What a user would see flagged in `text`: `TYPE:value`, in order. */
const found = (text: string) =>
  all.scan(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

// Token-shaped values are assembled at run time, so no secret scanner mistakes this file for a
// leak; none of them is a real credential.
const alnum = (n: number) => 'a1B2c3D4e5F6g7H8i9J0'.repeat(5).slice(0, n);
const GITHUB = `ghp_${alnum(36)}`;
const GITHUB_FINE = `github_pat_${alnum(22)}_${alnum(59)}`;
const SLACK = `xoxb-${'1234567890'}-${alnum(24)}`;
const OPENAI = `sk-proj-${alnum(48)}`;
const ANTHROPIC = `sk-ant-api03-${alnum(93)}AA`;
const JWT = [
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0',
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
].join('.');
const PEM_HEAD = ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' ');
const PEM_TAIL = ['-----END', 'RSA PRIVATE KEY-----'].join(' ');
const PEM = `${PEM_HEAD}\nMIIEowIBAAKCAQEAq7BFUZ\n${alnum(20)}==\n${PEM_TAIL}`;

describe(`${compilePiiDetector.name}: SECRET`, () => {
  it.each([
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a GitHub token', GITHUB],
    ['a fine-grained GitHub token', GITHUB_FINE],
    ['a Slack token', SLACK],
    ['an OpenAI project key', OPENAI],
    ['an Anthropic key', ANTHROPIC],
    ['a JWT', JWT],
    ['a PEM private key', PEM],
  ])('finds %s', (_what, secret) => {
    expect(found(`use ${secret} here`)).toEqual([`SECRET:${secret}`]);
  });

  it('takes a PEM header without END with the base64 lines after it, not the text beyond', () => {
    const text = `${PEM_HEAD}\nMIIEowIBAAKCAQEAq7BFUZ\nabc== and then prose`;
    expect(found(text)).toEqual([`SECRET:${PEM_HEAD}\nMIIEowIBAAKCAQEAq7BFUZ\nabc==`]);
  });

  it('finds keyword-anchored values with entropy, the value only', () => {
    expect(found('DB_PASSWORD=hunter2x9 and "api_key": "Zx8Qp2Lm7Vn4Rt1Ws9Ky3"')).toEqual([
      'SECRET:hunter2x9',
      'SECRET:Zx8Qp2Lm7Vn4Rt1Ws9Ky3',
    ]);
    expect(found('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual([
      'SECRET:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    ]);
  });

  it('finds bearer tokens in text, the token only', () => {
    expect(found(`Authorization: Bearer ${alnum(32)}`)).toEqual([`SECRET:${alnum(32)}`]);
  });

  it('ignores code, placeholders and words where a secret keyword stands', () => {
    const code = [
      'password: string;',
      'const token = process.env.TOKEN;',
      'secret: ${{ secrets.DEPLOY }}',
      'api_key=<your-key>',
      'max_tokens: 1024',
      'Bearer authentication is described below',
      'the tokenizer: gpt2',
    ].join('\n');
    expect(found(code)).toEqual([]);
  });

  it('ignores look-alike prefixes inside words and too-short bodies', () => {
    expect(found(`task-${alnum(30)} mask-${alnum(30)} sk-short xAKIAIOSFODNN7EXAMPLE`)).toEqual([]);
    expect(found('sk-this-is-just-a-long-hyphenated-name')).toEqual([]);
  });
});
