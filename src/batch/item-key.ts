import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { canonicalNumber } from '../crypto/canonical-number';
import type { Item } from '../mapping/entity-mapper';
import type { EntityMetadata } from '../metadata/entity-metadata';

/**
 * A string that is equal for two items (or key objects in wire form) exactly when DynamoDB
 * considers their primary keys equal. Numbers are compared in canonical form, because DynamoDB
 * normalises them: a key sent as `1e+21` comes back as `1000000000000000000000`. Used to find
 * duplicates and to match responses and unprocessed requests to the caller's inputs; never shown.
 *
 * @example
 * ```ts
 * itemKey(metadata, { pk: { S: 'a' }, sk: { N: '1.50' } }) === itemKey(metadata, { pk: { S: 'a' }, sk: { N: '1.5' } });
 * ```
 */
export function itemKey(metadata: EntityMetadata, item: Item): string {
  return JSON.stringify(
    metadata.keyAttributes.map((key) => keyValue(item[key.attribute], key.attribute)),
  );
}

function keyValue(value: AttributeValue | undefined, attribute: string): string {
  if (value?.S !== undefined) return `S${value.S}`;
  if (value?.N !== undefined) return `N${canonicalNumber(value.N)}`;
  if (value?.B !== undefined) return `B${Buffer.from(value.B).toString('base64')}`;
  throw new Error(`theorydb internal error: an item without a usable key attribute "${attribute}"`);
}
