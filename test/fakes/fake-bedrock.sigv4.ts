/**
 * AWS Signature Version 4 as Bedrock checks it (wire-formats 5, 20.1): the credential scope
 * `<AKID>/<date>/<region>/bedrock/aws4_request`, then the signature itself, recomputed from the
 * request and the test secret. Written from the SigV4 specification with `node:crypto`; the fake's
 * spec proves it agrees with the real SDK's signer. Pure.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SigV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region: string;
  /** Bedrock Runtime signs as `bedrock`, not `bedrock-runtime`. */
  readonly service: string;
}

/** What a signed request looks like to the verifier. */
export interface SignedRequest {
  readonly method: string;
  /** The raw request target, as sent: path (still percent-encoded) and query. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Bedrock's answer to a request it cannot authenticate (always HTTP 403). */
export interface AuthFailure {
  readonly errorType: string;
  readonly message: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** `undefined` when the request is signed by these credentials, else Bedrock's refusal. */
export function verifySigV4(
  request: SignedRequest,
  creds: SigV4Credentials,
): AuthFailure | undefined {
  const header = request.headers.authorization;
  if (header === undefined) {
    return {
      errorType: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    };
  }
  const match = AUTH.exec(header);
  if (match === null) {
    return {
      errorType: 'IncompleteSignatureException',
      message: `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${header.split(' ')[0]}`,
    };
  }
  const [, credential, signedHeaderList, signature] = match;
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  if (accessKeyId !== creds.accessKeyId) {
    return {
      errorType: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  }
  if (region !== creds.region) {
    return {
      errorType: 'InvalidSignatureException',
      message: `Credential should be scoped to a valid region, not '${region}'.`,
    };
  }
  if (service !== creds.service || terminator !== 'aws4_request') {
    return {
      errorType: 'InvalidSignatureException',
      message: `Credential should be scoped to correct service: '${creds.service}'.`,
    };
  }
  const amzDate = single(request.headers['x-amz-date']);
  if (amzDate === undefined || !amzDate.startsWith(date)) {
    return {
      errorType: 'IncompleteSignatureException',
      message: "Date must be in ISO-8601 'basic format' and match the credential scope.",
    };
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return {
      errorType: 'InvalidSignatureException',
      message: "'Host' and 'X-Amz-Date' must be signed headers.",
    };
  }
  if (creds.sessionToken !== undefined) {
    const token = single(request.headers['x-amz-security-token']);
    if (token !== creds.sessionToken || !signedHeaders.includes('x-amz-security-token')) {
      return {
        errorType: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      };
    }
  }
  const expected = sign(request, creds, { amzDate, date, signedHeaders });
  if (expected !== signature) {
    return {
      errorType: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  return undefined;
}

function sign(
  request: SignedRequest,
  creds: SigV4Credentials,
  scope: { amzDate: string; date: string; signedHeaders: string[] },
): string {
  const [path, query = ''] = request.target.split('?', 2);
  const payloadHeader = single(request.headers['x-amz-content-sha256']);
  const payloadHash =
    payloadHeader === 'UNSIGNED-PAYLOAD' ? payloadHeader : sha256Hex(request.body);
  const canonicalHeaders = scope.signedHeaders
    .map((name) => `${name}:${headerValue(request.headers[name])}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalPath(path),
    canonicalQuery(query),
    canonicalHeaders,
    scope.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScope = `${scope.date}/${creds.region}/${creds.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    scope.amzDate,
    credentialScope,
    sha256Hex(Buffer.from(canonicalRequest, 'utf8')),
  ].join('\n');
  let key = hmac(`AWS4${creds.secretAccessKey}`, scope.date);
  key = hmac(key, creds.region);
  key = hmac(key, creds.service);
  key = hmac(key, 'aws4_request');
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/**
 * Every service but S3 encodes the already-encoded path once more (`%3A` -> `%253A`), after
 * normalising `.` and `..` segments.
 */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return uriEscape(`/${segments.join('/')}${trailing}`).replace(/%2F/g, '/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const [key, value = ''] = pair.split('=', 2);
      return [uriEscape(decodeURIComponent(key)), uriEscape(decodeURIComponent(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded. */
function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function headerValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
