import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KmsException } from './kms-exception';
import type { RequestBody } from './request-fields';

/**
 * The KMS JSON 1.1 wire format, as the AWS SDK speaks it: the operation in `X-Amz-Target`, JSON
 * bodies, errors as `{"__type": "<ExceptionName>", "message": "..."}` with a 4xx/5xx status. The SDK
 * picks the exception class from `__type` and sets the error's `name` to it.
 */
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'TrentService.';
/** Far above any legal KMS request; a bound so a runaway test cannot exhaust memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The operation named by `X-Amz-Target`, or '' when the header is missing or foreign. */
export function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX)
    ? target.slice(TARGET_PREFIX.length)
    : '';
}

/** The parsed JSON object body; `SerializationException` when it is not one. */
export async function readBody(req: IncomingMessage): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > MAX_BODY_BYTES) throw serialization('The request body is too large');
    chunks.push(bytes);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.length === 0 ? '{}' : text);
  } catch {
    throw serialization('The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw serialization('The request body must be a JSON object');
  }
  return parsed as RequestBody;
}

export function sendResult(res: ServerResponse, body: Record<string, unknown>): void {
  send(res, 200, body);
}

export function sendError(res: ServerResponse, error: KmsException): void {
  send(res, error.status, { __type: error.type, message: error.message });
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  // The client may have gone away (aborted, timed out) while the answer was delayed.
  if (res.destroyed || res.writableEnded) return;
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': payload.length,
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(payload);
}

function serialization(message: string): KmsException {
  return new KmsException('SerializationException', message);
}
