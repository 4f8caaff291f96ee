import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { Item } from '../mapping/entity-mapper';

/**
 * One attribute value of a DynamoDB Streams image in its wire (JSON) form, as AWS Lambda delivers
 * it: binaries (`B`, `BS`) as base64 strings. `Uint8Array` binaries (the form the
 * `@aws-sdk/client-dynamodb-streams` client returns) are accepted too.
 *
 * @example
 * ```ts
 * const value: StreamAttributeValue = { B: 'AAECAw==' };
 * ```
 */
export interface StreamAttributeValue {
  S?: string;
  N?: string;
  B?: string | Uint8Array;
  SS?: string[];
  NS?: string[];
  BS?: (string | Uint8Array)[];
  M?: Record<string, StreamAttributeValue>;
  L?: StreamAttributeValue[];
  NULL?: boolean;
  BOOL?: boolean;
}

/**
 * A `NewImage` or `OldImage` of a DynamoDB Streams record: attribute names to wire values.
 *
 * @example
 * ```ts
 * export const handler = async (event: DynamoDBStreamEvent) => {
 *   for (const record of event.Records) {
 *     const image = record.dynamodb?.NewImage as StreamImage | undefined;
 *     if (image !== undefined) await users.fromStreamImage(image);
 *   }
 * };
 * ```
 */
export type StreamImage = Record<string, StreamAttributeValue>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Converts a stream image into an item as the SDK returns items (binaries as `Uint8Array`),
 * checking its shape: every value must hold exactly one known type, and base64 must be canonical
 * (Node's decoder would silently skip bad characters). Messages name attributes, never values.
 */
export function itemFromStreamImage(image: unknown, entity: string): Item {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) {
    throw new ValidationError(
      `${entity}.fromStreamImage expects an image object (NewImage or OldImage)`,
      entity,
    );
  }
  const item: Item = {};
  for (const [name, value] of Object.entries(image)) {
    item[name] = attributeValue(value, name, entity);
  }
  return item;
}

function attributeValue(value: unknown, where: string, entity: string): AttributeValue {
  const bad = (why: string) =>
    new ValidationError(`${entity}.fromStreamImage: attribute "${where}" ${why}`, entity);
  if (typeof value !== 'object' || value === null) throw bad('is not a DynamoDB attribute value');
  const present = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined,
  );
  if (present.length !== 1) throw bad('must hold exactly one DynamoDB type');
  const [type, inner] = present[0];
  const strings = (list: unknown): string[] => {
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
      throw bad(`${type} must be strings`);
    }
    return list as string[];
  };
  const binary = (b: unknown): Uint8Array => {
    if (b instanceof Uint8Array) return b;
    if (typeof b === 'string' && BASE64.test(b)) return Buffer.from(b, 'base64');
    throw bad('holds a binary that is neither base64 nor a Uint8Array');
  };
  switch (type) {
    case 'S':
      if (typeof inner !== 'string') throw bad('S must be a string');
      return { S: inner };
    case 'N':
      if (typeof inner !== 'string') throw bad('N must be a string');
      return { N: inner };
    case 'B':
      return { B: binary(inner) };
    case 'SS':
      return { SS: strings(inner) };
    case 'NS':
      return { NS: strings(inner) };
    case 'BS':
      if (!Array.isArray(inner)) throw bad('BS must be a list');
      return { BS: inner.map(binary) };
    case 'BOOL':
      if (typeof inner !== 'boolean') throw bad('BOOL must be a boolean');
      return { BOOL: inner };
    case 'NULL':
      if (inner !== true) throw bad('NULL must be true');
      return { NULL: true };
    case 'L':
      if (!Array.isArray(inner)) throw bad('L must be a list');
      return { L: inner.map((v, i) => attributeValue(v, `${where}[${i}]`, entity)) };
    case 'M': {
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
        throw bad('M must be a map');
      }
      const map: Record<string, AttributeValue> = {};
      for (const [k, v] of Object.entries(inner as Record<string, unknown>)) {
        map[k] = attributeValue(v, `${where}.${k}`, entity);
      }
      return { M: map };
    }
    default:
      throw bad('has an unknown DynamoDB type');
  }
}
