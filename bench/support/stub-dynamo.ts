import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The request the SDK hands to its HTTP handler (the fields the stub reads). */
interface StubRequest {
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** A DynamoDB JSON response body for one request, from the request's body. */
export type Responder = (requestBody: string) => string;

const encoder = new TextEncoder();
const HEADERS = { 'content-type': 'application/x-amz-json-1.0' };

/**
 * A DynamoDB endpoint that answers instantly, inside the process: the client's HTTP handler is
 * replaced, so every other part of the SDK (serialisation, signing, retries, deserialisation)
 * runs as usual and nothing crosses a socket. What is measured against it is client-side CPU.
 *
 * Each operation answers a canned body (encoded once) or a `Responder`; unknown operations
 * answer `{}`. `capture` keeps the request bodies of one operation, to replay items a library
 * wrote (ciphertexts included) as GetItem or Query answers.
 */
export class StubDynamo {
  readonly client: DynamoDBClient;
  private readonly canned = new Map<string, Uint8Array>();
  private readonly responders = new Map<string, Responder>();
  private readonly captures = new Map<string, string[]>();
  /** Requests answered, per operation. */
  readonly requests = new Map<string, number>();

  constructor() {
    const handler = {
      handle: (request: StubRequest) => Promise.resolve({ response: this.answer(request) }),
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    };
    this.client = new DynamoDBClient({
      region: 'us-east-1',
      // Never contacted: the handler above answers every request.
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      requestHandler: handler,
    });
  }

  /** Answers `operation` (PutItem, GetItem, Query, ...) with `body` (a JSON value) from now on. */
  respond(operation: string, body: unknown): void {
    this.responders.delete(operation);
    this.canned.set(operation, encoder.encode(JSON.stringify(body)));
  }

  /** Answers `operation` with what `responder` returns for each request. */
  respondWith(operation: string, responder: Responder): void {
    this.canned.delete(operation);
    this.responders.set(operation, responder);
  }

  /** Starts keeping the request bodies of `operation`; returns the list they are added to. */
  capture(operation: string): string[] {
    const bodies: string[] = [];
    this.captures.set(operation, bodies);
    return bodies;
  }

  /** Stops keeping request bodies. */
  stopCapture(): void {
    this.captures.clear();
  }

  private answer(request: StubRequest) {
    const target = request.headers['x-amz-target'] ?? '';
    const operation = target.slice(target.indexOf('.') + 1);
    this.requests.set(operation, (this.requests.get(operation) ?? 0) + 1);
    const captured = this.captures.get(operation);
    if (captured !== undefined) captured.push(bodyText(request.body));
    const responder = this.responders.get(operation);
    const body =
      responder !== undefined
        ? encoder.encode(responder(bodyText(request.body)))
        : (this.canned.get(operation) ?? encoder.encode('{}'));
    return { statusCode: 200, headers: { ...HEADERS }, body };
  }
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  // A view, not Buffer.from(body): the SDK's body is a Uint8Array whose valueOf() is a string.
  if (body instanceof Uint8Array) {
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  }
  return '';
}
