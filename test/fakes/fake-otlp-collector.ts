import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/*
 * A fake OpenTelemetry collector: OTLP/HTTP on loopback, as `opentelemetry-proto` defines it,
 * in both encodings (`application/x-protobuf` and `application/json`), gzip or not. Only the
 * trace messages, and of them the fields the gateway's tests read.
 */

const kv = { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } };
const OTLP = protobuf.Root.fromJSON({
  nested: {
    ExportTraceServiceRequest: {
      fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } },
    },
    ResourceSpans: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
      },
    },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    ScopeSpans: {
      fields: {
        scope: { type: 'InstrumentationScope', id: 1 },
        spans: { rule: 'repeated', type: 'Span', id: 2 },
      },
    },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        traceState: { type: 'string', id: 3 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        status: { type: 'Status', id: 15 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    KeyValue: kv,
    AnyValue: {
      oneofs: {
        value: {
          oneof: [
            'stringValue',
            'boolValue',
            'intValue',
            'doubleValue',
            'arrayValue',
            'kvlistValue',
            'bytesValue',
          ],
        },
      },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
  },
});
const REQUEST = OTLP.lookupType('ExportTraceServiceRequest');

/** OTLP's span kinds (`Span.SpanKind`). */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
/** OTLP's status codes (`Status.StatusCode`). */
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** One received span, flattened: ids in lower-case hex, attributes as plain values. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly statusCode: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
}

/** One export request as it arrived. */
export interface ReceivedExport {
  readonly path: string;
  readonly contentType: string;
  readonly headers: IncomingMessage['headers'];
}

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
};
type KeyValue = { key: string; value?: AnyValue };

function valueOf(value: AnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue !== undefined) return attributesOf(value.kvlistValue.values);
  return undefined;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

/** The ids of a JSON export are hex already; a protobuf one's were turned to hex by `toObject`. */
function flatten(request: any): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: String(span.traceId ?? '').toLowerCase(),
          spanId: String(span.spanId ?? '').toLowerCase(),
          parentSpanId: String(span.parentSpanId ?? '').toLowerCase(),
          name: span.name,
          kind: Number(span.kind ?? 0),
          statusCode: Number(span.status?.code ?? 0),
          attributes: attributesOf(span.attributes),
          resource,
        });
      }
    }
  }
  return spans;
}

function decode(body: Buffer, contentType: string): ReceivedSpan[] {
  if (contentType.startsWith('application/json')) return flatten(JSON.parse(body.toString('utf8')));
  if (contentType.startsWith('application/x-protobuf')) {
    const plain: any = REQUEST.toObject(REQUEST.decode(body), { longs: String, bytes: String });
    // Protobuf ids are bytes (base64 here); OTLP/JSON spells them in hex.
    const hex = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('hex');
    for (const resourceSpans of plain.resourceSpans ?? []) {
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          span.traceId = hex(span.traceId);
          span.spanId = hex(span.spanId);
          span.parentSpanId = hex(span.parentSpanId);
        }
      }
    }
    return flatten(plain);
  }
  throw new Error(`unexpected content-type ${contentType}`);
}

export class FakeOtlpCollector {
  readonly spans: ReceivedSpan[] = [];
  readonly exports: ReceivedExport[] = [];
  /** Requests the collector could not decode (they are answered 400). */
  readonly failures: string[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const contentType = String(req.headers['content-type'] ?? '');
        this.exports.push({ path: req.url ?? '', contentType, headers: req.headers });
        try {
          let body = Buffer.concat(chunks);
          if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          this.spans.push(...decode(body, contentType));
          res.writeHead(200, { 'content-type': contentType || 'application/json' });
          res.end(contentType.startsWith('application/json') ? '{}' : undefined);
        } catch (error) {
          this.failures.push(String(error));
          res.writeHead(400).end();
        }
      });
    });
  }

  async start(): Promise<{ url: string }> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(this.server.address() as AddressInfo).port}` };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves once `ready()` holds for the spans received, or rejects after `timeoutMs`. */
  async waitFor(ready: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (!ready(this.spans)) {
      if (Date.now() > deadline) {
        throw new Error(`spans not received in time; got: ${JSON.stringify(this.spans, null, 1)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.spans;
  }
}
