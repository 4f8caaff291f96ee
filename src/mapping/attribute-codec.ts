import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { MappingError, ValidationError } from '../errors';

/** The scalar DynamoDB types a key attribute can have. */
export type KeyAttributeType = 'S' | 'N' | 'B';

/**
 * Converts one property's values to and from DynamoDB attribute values. One codec is compiled per
 * property at discovery, with the names for its messages baked in, so the hot path does no lookup.
 */
export interface AttributeCodec {
  /** A short name of the logical type for messages: `string`, `Date`, `Set`, ... */
  readonly kind: string;
  /** The DynamoDB type when this codec can serve as a key; undefined otherwise. */
  readonly keyType: KeyAttributeType | undefined;
  /**
   * The attribute value for `value`, or `undefined` to leave the attribute out. Throws
   * `ValidationError` when the value has the wrong type.
   */
  write(value: unknown): AttributeValue | undefined;
  /** The property value for a stored attribute. Throws `MappingError` on a type mismatch. */
  read(value: AttributeValue): unknown;
}

/** Where a codec sits, for its messages. */
export interface CodecSite {
  readonly entity: string;
  readonly property: string;
  readonly attribute: string;
}

/** A ValidationError saying the value of `site` is not a `expected`. Never includes the value. */
export function wrongValueType(site: CodecSite, expected: string, value: unknown): ValidationError {
  return new ValidationError(
    `${site.entity}.${site.property} must be ${expected}, got ${describeType(value)}`,
    site.entity,
    site.property,
  );
}

/** A MappingError saying the stored attribute of `site` has the wrong DynamoDB type. */
export function wrongStoredType(
  site: CodecSite,
  expected: string,
  stored: AttributeValue,
): MappingError {
  return new MappingError(
    `${site.entity}.${site.property}: stored attribute "${site.attribute}" is ${storedType(stored)}, expected ${expected}`,
    site.entity,
    site.property,
  );
}

/** The DynamoDB type tag of a stored value (`S`, `N`, `M`, ...). */
export function storedType(value: AttributeValue): string {
  for (const key in value) {
    if (key !== '$unknown' && (value as unknown as Record<string, unknown>)[key] !== undefined)
      return key;
  }
  return 'unknown';
}

/** A type description for messages: the type, never the value. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = value.constructor?.name;
  return name === undefined || name === '' ? 'object' : name;
}
