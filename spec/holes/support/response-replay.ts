import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Readable } from 'node:stream';

/** A DynamoDB HTTP response as it came over the wire: status, headers and body bytes. */
export interface RecordedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * A man in the middle between a DynamoDB client and DynamoDB Local, at the HTTP level: it can
 * record the genuine response to the next command of a name, and answer the next command of a
 * name with a recorded response instead of the one DynamoDB sent (the request itself still goes
 * out and is answered; that answer is thrown away). Headers are replayed too, so the body's
 * `x-amz-crc32` is DynamoDB's own.
 */
export interface ResponseReplay {
  /** Records the HTTP response to the next `command` (e.g. `'GetItemCommand'`). */
  record<R>(
    command: string,
    send: () => Promise<R>,
  ): Promise<{ result: R; response: RecordedResponse }>;
  /** Answers the next `command` with `response`. */
  replayNext(command: string, response: RecordedResponse): void;
  /** How many responses were replaced so far. */
  readonly replaced: number;
}

/**
 * Installs the replay middleware on `client` (dedicated to the test). It sits at the innermost
 * end of the deserialize step (priority `low`), directly around the HTTP handler, so it sees and
 * hands on the raw response before the SDK parses it.
 */
export function installResponseReplay(client: DynamoDBClient): ResponseReplay {
  let recording: { command: string; response?: RecordedResponse } | undefined;
  let replay: { command: string; response: RecordedResponse } | undefined;
  let replaced = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const command = context.commandName ?? '';
      const raw = result.response as {
        statusCode: number;
        headers: Record<string, string>;
        body: Readable;
      };
      if (
        recording !== undefined &&
        recording.command === command &&
        recording.response === undefined
      ) {
        const body = await readAll(raw.body);
        recording.response = { statusCode: raw.statusCode, headers: { ...raw.headers }, body };
        return { ...result, response: { ...raw, body: Readable.from([body]) } };
      }
      if (replay !== undefined && replay.command === command) {
        const { response } = replay;
        replay = undefined;
        replaced += 1;
        await readAll(raw.body);
        return {
          ...result,
          response: {
            ...raw,
            statusCode: response.statusCode,
            headers: { ...response.headers },
            body: Readable.from([Buffer.from(response.body)]),
          },
        };
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'holeSpecResponseReplay' },
  );
  return {
    async record(command, send) {
      recording = { command };
      try {
        const result = await send();
        const response = recording.response;
        if (response === undefined) throw new Error(`response replay: no ${command} was sent`);
        return { result, response };
      } finally {
        recording = undefined;
      }
    },
    replayNext(command, response) {
      replay = { command, response };
    },
    get replaced() {
      return replaced;
    },
  };
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
