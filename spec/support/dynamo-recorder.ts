import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sharedDynamo } from './stack';

/** One command a DynamoDB client was asked to send, as the caller built it. */
export interface RecordedCommand {
  readonly name: string;
  readonly input: unknown;
}

/**
 * Every command sent through one DynamoDB client. Recorded at the `initialize` step, so a command
 * is seen even if it fails later (serialisation, network): "0 commands" means nothing left the
 * library, not merely that nothing reached the server.
 */
export interface DynamoRecorder {
  readonly client: DynamoDBClient;
  readonly commands: readonly RecordedCommand[];
  /** The command names in order, e.g. `['GetItemCommand', 'PutItemCommand']`. */
  names(): string[];
  /** How many commands of that name (e.g. `'PutItemCommand'`), or of all names. */
  count(name?: string): number;
  /** Every recorded input as one searchable string (binary values as base64). */
  bodies(): string;
  clear(): void;
}

/**
 * Adds a recording middleware to `client` (which must be dedicated to the test: the middleware
 * stays on it). With `block`, a recorded command is failed instead of sent: for clients aimed at
 * addresses a test must never reach, even if the code under test regresses.
 */
export function recordCommands(
  client: DynamoDBClient,
  options: { block?: boolean } = {},
): DynamoRecorder {
  const commands: RecordedCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push({ name: context.commandName ?? 'unknown', input: args.input });
      if (options.block === true) {
        throw new Error(`test recorder: ${context.commandName ?? 'a command'} blocked, not sent`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'theorydbSpecRecorder' },
  );
  return {
    client,
    commands,
    names: () => commands.map((c) => c.name),
    count: (name) =>
      name === undefined ? commands.length : commands.filter((c) => c.name === name).length,
    bodies: () => commands.map((c) => searchableJson(c.input)).join('\n'),
    clear: () => {
      commands.length = 0;
    },
  };
}

/** A new client on the shared DynamoDB Local with a recorder on it. */
export async function recordingDynamo(): Promise<DynamoRecorder> {
  return recordCommands((await sharedDynamo()).newClient({ maxAttempts: 1 }));
}

/** JSON in which every Uint8Array (Buffers included) is its base64 text. */
export function searchableJson(value: unknown): string {
  return JSON.stringify(value, function replace(this: Record<string, unknown>, key, current) {
    const raw = key === '' ? value : this[key];
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
    if (typeof raw === 'bigint') return raw.toString();
    return current as unknown;
  });
}
