import type {
  AttributeDefinition,
  CreateTableCommandInput,
  KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { EntityMetadata, KeyAttributeMetadata } from '../metadata/entity-metadata';

/**
 * The CreateTable request for an entity: keys, attribute definitions for every key and index key,
 * global and local secondary indexes projecting all attributes, and on-demand billing.
 */
export function tableDefinition(metadata: EntityMetadata): CreateTableCommandInput {
  const definitions = new Map<string, AttributeDefinition>();
  const define = (key: KeyAttributeMetadata) => {
    definitions.set(key.attribute, { AttributeName: key.attribute, AttributeType: key.keyType });
  };
  const schema = (pk: KeyAttributeMetadata, sk: KeyAttributeMetadata | undefined) => {
    define(pk);
    const keys: KeySchemaElement[] = [{ AttributeName: pk.attribute, KeyType: 'HASH' }];
    if (sk !== undefined) {
      define(sk);
      keys.push({ AttributeName: sk.attribute, KeyType: 'RANGE' });
    }
    return keys;
  };
  const keySchema = schema(metadata.partitionKey, metadata.sortKey);
  const globals = metadata.indexes.filter((i) => i.kind === 'global');
  const locals = metadata.indexes.filter((i) => i.kind === 'local');
  const secondary = (list: typeof globals) =>
    list.map((index) => ({
      IndexName: index.name,
      KeySchema: schema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' as const },
    }));
  // Built before AttributeDefinitions is read: schema() defines the index key attributes.
  const globalIndexes = secondary(globals);
  const localIndexes = secondary(locals);
  return {
    TableName: metadata.table,
    KeySchema: keySchema,
    AttributeDefinitions: [...definitions.values()],
    BillingMode: 'PAY_PER_REQUEST',
    ...(globalIndexes.length > 0 ? { GlobalSecondaryIndexes: globalIndexes } : {}),
    ...(localIndexes.length > 0 ? { LocalSecondaryIndexes: localIndexes } : {}),
  };
}
