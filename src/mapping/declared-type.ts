import type { AttributeCodec } from './attribute-codec';
import { wrongValueType, type CodecSite } from './attribute-codec';

/**
 * Checks that a value has its property's declared type, without the storage rules of the
 * property's codec. For encrypted fields: DynamoDB never sees their values, so any double (NaN
 * included) or empty set is fine, but a number in a `string` field is still a mistake.
 */
export function checkDeclaredType(codec: AttributeCodec, site: CodecSite, value: unknown): void {
  const expected = EXPECTED[codec.kind];
  if (expected !== undefined && !expected.test(value))
    throw wrongValueType(site, expected.label, value);
}

const EXPECTED: Record<string, { label: string; test: (value: unknown) => boolean } | undefined> = {
  string: { label: 'a string', test: (v) => typeof v === 'string' },
  number: { label: 'a number', test: (v) => typeof v === 'number' },
  bigint: { label: 'a bigint', test: (v) => typeof v === 'bigint' },
  boolean: { label: 'a boolean', test: (v) => typeof v === 'boolean' },
  Date: { label: 'a valid Date', test: (v) => v instanceof Date && !Number.isNaN(v.getTime()) },
  Uint8Array: { label: 'a Uint8Array', test: (v) => v instanceof Uint8Array },
  Buffer: { label: 'a Uint8Array', test: (v) => v instanceof Uint8Array },
  Set: { label: 'a Set', test: (v) => v instanceof Set },
  Array: { label: 'an array', test: (v) => Array.isArray(v) },
  Object: { label: 'an object', test: (v) => typeof v === 'object' && v !== null },
};
