import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { TheoryDb, type Constructor } from '../../../src';
import { recordCommands, type DynamoRecorder } from '../../support/dynamo-recorder';
import { sharedDynamo, sharedKms } from '../../support/stack';

/** A TheoryDb with a LocalKms key, whose every DynamoDB command is recorded. */
export interface HoleStack {
  readonly db: TheoryDb;
  readonly recorder: DynamoRecorder;
  /** The item exactly as DynamoDB stores it, read past theorydb. */
  raw(table: string, key: Record<string, AttributeValue>): Promise<Record<string, AttributeValue>>;
}

/**
 * The stack a hole spec attacks: DynamoDB Local and LocalKms, one key, a recorder on the client,
 * and the tables of `entities` created (with a separate, unrecorded client). Entities whose
 * definition theorydb refuses cannot be created, which is the point of some specs: pass only
 * valid ones here.
 */
export async function holeStack(...entities: Constructor<object>[]): Promise<HoleStack> {
  const dynamo = await sharedDynamo();
  const kms = await sharedKms();
  const keyId = await kms.createKey();
  const kmsOptions = { client: kms.client(), keyId };
  const setup = new TheoryDb({ dynamodb: dynamo.client, kms: kmsOptions });
  for (const entity of entities) await setup.createTable(entity, { ifNotExists: true });
  const client = dynamo.newClient();
  const recorder = recordCommands(client);
  return {
    db: new TheoryDb({ dynamodb: client, kms: kmsOptions }),
    recorder,
    async raw(table, key) {
      const output = await dynamo.client.send(
        new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
      );
      return output.Item ?? {};
    },
  };
}
