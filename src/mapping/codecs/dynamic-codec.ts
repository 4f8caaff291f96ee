import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToAttr, convertToNative } from '@aws-sdk/util-dynamodb';
import { refuseNestedEntities } from '../nested-entity-guard';
import { preciseNumber } from './precise-number';
import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/**
 * Plain, JSON-like values (`type: Object`, arrays without `items`) ⇄ M, L and scalars, through
 * `@aws-sdk/util-dynamodb`. Nested `Date`s are written as ISO strings (as `JSON.stringify` would)
 * and load as strings; declare a nested class to keep them as `Date`s. Integers beyond the safe
 * range load as bigints, so no digit is lost.
 */
export function dynamicCodec(site: CodecSite, expect: 'object' | 'array' | 'any'): AttributeCodec {
  return {
    kind: expect === 'array' ? 'Array' : 'Object',
    keyType: undefined,
    write(value) {
      if (expect === 'array' && !Array.isArray(value))
        throw wrongValueType(site, 'an array', value);
      if (expect === 'object' && (typeof value !== 'object' || value === null)) {
        throw wrongValueType(site, 'an object', value);
      }
      // util-dynamodb refuses class instances today; this refusal does not depend on it.
      refuseNestedEntities(site, value);
      try {
        return convertToAttr(marshallable(value), { removeUndefinedValues: true });
      } catch {
        throw wrongValueType(
          site,
          'a plain JSON-like value (see the docs for nested classes)',
          value,
        );
      }
    },
    read(value) {
      if (expect === 'array' && value.L === undefined) throw wrongStoredType(site, 'L', value);
      if (expect === 'object' && value.M === undefined && value.L === undefined) {
        throw wrongStoredType(site, 'M', value);
      }
      return readDynamic(value);
    },
  };
}

/** The native form of any attribute value, keeping big integers exact. */
export function readDynamic(value: AttributeValue): unknown {
  return convertToNative(value, { wrapNumbers: preciseNumber });
}

/** Writes any JSON-like value, for nested classes mapped through class-transformer. */
export function writeDynamic(value: unknown): AttributeValue {
  return convertToAttr(marshallable(value), { removeUndefinedValues: true });
}

/**
 * The value in the shapes `convertToAttr` maps faithfully: `Date`s as ISO strings, and plain
 * objects as `Map`s, because `convertToAttr` recognises plain objects by `constructor.name` and
 * would refuse a JSON object that has its own `constructor` key or a null prototype.
 */
function marshallable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(marshallable);
  if (isPlainObject(value)) {
    const entries = new Map<string, unknown>();
    for (const key of Object.keys(value)) entries.set(key, marshallable(value[key]));
    return entries;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
