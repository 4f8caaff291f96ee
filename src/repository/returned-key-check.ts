import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { itemKey } from '../batch/item-key';
import { ResponseMismatchError } from '../errors';
import type { Item } from '../mapping/entity-mapper';
import type { EntityMetadata } from '../metadata/entity-metadata';
import { compareKeyValues, hasKeyPrefix } from './key-value-order';

/** What one key attribute of a returned item must satisfy, in its stored (wire) form. */
export type KeyTest =
  | { readonly kind: 'eq' | 'lt' | 'lte' | 'gt' | 'gte'; readonly value: AttributeValue }
  | { readonly kind: 'between'; readonly low: AttributeValue; readonly high: AttributeValue }
  | { readonly kind: 'beginsWith'; readonly prefix: AttributeValue };

/** A key attribute (table or index) and what its value must satisfy. */
export interface KeyExpectation {
  readonly attribute: string;
  readonly test: KeyTest;
}

/**
 * What every item of one response must match, built from the request before it is sent: the
 * exact key of a get, an update or a transactFind item, or the key condition of a query.
 */
export interface ReturnedKeyCheck {
  readonly operation: string;
  readonly table: string;
  readonly entity: string;
  /** For the message: "the key asked for", "the query's key condition". */
  readonly asked: string;
  readonly expectations: readonly KeyExpectation[];
}

/**
 * The check of a read by primary key (`find`, `get`, a `transactFind` item, an update's returned
 * values): every key attribute of the table equal to `keyItem`'s, as DynamoDB compares them.
 *
 * @example
 * ```ts
 * assertReturnedKey(exactKeyCheck(metadata, 'find', keyItem), output.Item);
 * ```
 */
export function exactKeyCheck(
  metadata: EntityMetadata,
  operation: string,
  keyItem: Item,
): ReturnedKeyCheck {
  return {
    ...siteOf(metadata, operation),
    asked: 'the key asked for',
    expectations: metadata.keyAttributes.map((key) => ({
      attribute: key.attribute,
      test: { kind: 'eq', value: keyItem[key.attribute] },
    })),
  };
}

/** The check of a query: its partition value and sort-key condition, on the table or index. */
export function keyConditionCheck(
  metadata: EntityMetadata,
  operation: string,
  expectations: readonly KeyExpectation[],
): ReturnedKeyCheck {
  return { ...siteOf(metadata, operation), asked: "the query's key condition", expectations };
}

/**
 * Refuses, with `ResponseMismatchError`, an item DynamoDB returned that does not match what was
 * asked. Called before the item is mapped or decrypted: a genuine item of another key would
 * decrypt perfectly (its associated data is bound to its own key), so this comparison is what
 * stops a replayed or substituted response from handing one user's secrets to another.
 */
export function assertReturnedKey(check: ReturnedKeyCheck, item: Item): void {
  for (const { attribute, test } of check.expectations) {
    const value = Object.hasOwn(item, attribute) ? item[attribute] : undefined;
    if (value === undefined || !passes(value, test)) throw mismatch(check, attribute);
  }
}

/** {@link assertReturnedKey} for every item of a response. */
export function assertReturnedKeys(check: ReturnedKeyCheck, items: readonly Item[]): void {
  for (const item of items) assertReturnedKey(check, item);
}

/**
 * The canonical key (`itemKey`) of an item or key a batch response returned, to match it with the
 * keys that were sent. A key attribute that is missing, of another type than declared, or an
 * unreadable number is refused with `ResponseMismatchError` naming the attribute; the caller
 * refuses a well-formed key that was not sent with {@link unrequestedKey}.
 */
export function returnedBatchKey(metadata: EntityMetadata, operation: string, item: Item): string {
  const check = { ...siteOf(metadata, operation), asked: 'the keys sent', expectations: [] };
  for (const key of metadata.keyAttributes) {
    const value = Object.hasOwn(item, key.attribute) ? item[key.attribute] : undefined;
    // Of the declared type, and comparable with itself (a number that is a decimal number).
    const usable =
      value !== undefined &&
      value[key.keyType] !== undefined &&
      compareKeyValues(value, value) === 0;
    if (!usable) throw mismatch(check, key.attribute);
  }
  return itemKey(metadata, item);
}

/** The error for a batch response holding a key that was not in the request. */
export function unrequestedKey(metadata: EntityMetadata, operation: string): ResponseMismatchError {
  const { table, entity } = siteOf(metadata, operation);
  return new ResponseMismatchError(
    `${operation} on ${table} (${entity}): DynamoDB returned a key that was not in the request; the response was refused and nothing of it decrypted or returned`,
    operation,
    table,
    entity,
  );
}

function passes(value: AttributeValue, test: KeyTest): boolean {
  const order = (bound: AttributeValue) => compareKeyValues(value, bound);
  switch (test.kind) {
    case 'eq':
      return order(test.value) === 0;
    case 'lt':
      return lessThan(order(test.value), 0);
    case 'lte':
      return lessThan(order(test.value), 1);
    case 'gt':
      return lessThan(0, order(test.value));
    case 'gte':
      return lessThan(-1, order(test.value));
    case 'between':
      return lessThan(-1, order(test.low)) && lessThan(order(test.high), 1);
    case 'beginsWith':
      return hasKeyPrefix(value, test.prefix);
  }
}

/** `a < b`, false when either is undefined (values that cannot be compared never pass). */
function lessThan(a: number | undefined, b: number | undefined): boolean {
  return a !== undefined && b !== undefined && a < b;
}

function mismatch(check: ReturnedKeyCheck, attribute: string): ResponseMismatchError {
  return new ResponseMismatchError(
    `${check.operation} on ${check.table} (${check.entity}): DynamoDB returned an item whose key attribute "${attribute}" does not match ${check.asked}; the response was refused and nothing of it decrypted or returned`,
    check.operation,
    check.table,
    check.entity,
    attribute,
  );
}

function siteOf(metadata: EntityMetadata, operation: string) {
  return { operation, table: metadata.table, entity: metadata.entityName };
}
