import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** The element type of a set, when declared with `items`. */
export type SetElement = 'string' | 'number' | 'bigint' | 'binary';

/**
 * `Set` ⇄ SS, NS or BS. DynamoDB cannot store an empty set, so an empty set is left out and loads
 * as `undefined`. Without a declared element type the set's own elements decide; numbers beyond
 * the safe integer range load as bigints.
 */
export function setCodec(site: CodecSite, element: SetElement | undefined): AttributeCodec {
  return {
    kind: 'Set',
    keyType: undefined,
    write(value) {
      if (!(value instanceof Set)) throw wrongValueType(site, 'a Set', value);
      if (value.size === 0) return undefined;
      const kind = element ?? elementOf(value.values().next().value);
      const out: string[] | Uint8Array[] = [];
      for (const entry of value) {
        const entryKind = elementOf(entry);
        const sameFamily =
          entryKind === kind || (kind !== 'string' && kind !== 'binary' && isNumeric(entryKind));
        if (!sameFamily) throw wrongValueType(site, `a Set of ${kind} values`, entry);
        (out as unknown[]).push(kind === 'binary' ? entry : String(entry));
      }
      if (kind === 'string') return { SS: out as string[] };
      if (kind === 'binary') return { BS: out as Uint8Array[] };
      return { NS: out as string[] };
    },
    read(value) {
      if (value.SS !== undefined)
        return expect(site, 'string', element, value, () => new Set(value.SS));
      if (value.BS !== undefined)
        return expect(site, 'binary', element, value, () => new Set(value.BS));
      if (value.NS !== undefined) {
        const numbers = value.NS;
        if (element === 'bigint') return new Set(numbers.map((n) => BigInt(n)));
        // A declared number set loads numbers; only an undeclared one keeps big integers exact.
        const parse = element === 'number' ? Number : parseNumber;
        return expect(site, 'number', element, value, () => new Set(numbers.map(parse)));
      }
      throw wrongStoredType(site, 'SS, NS or BS', value);
    },
  };
}

function expect(
  site: CodecSite,
  stored: SetElement,
  declared: SetElement | undefined,
  value: AttributeValue,
  build: () => Set<unknown>,
): Set<unknown> {
  if (
    declared !== undefined &&
    declared !== stored &&
    !(stored === 'number' && declared === 'bigint')
  ) {
    throw wrongStoredType(site, `a set of ${declared}`, value);
  }
  return build();
}

function elementOf(value: unknown): SetElement | 'other' {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' && Number.isFinite(value)) return 'number';
  if (typeof value === 'bigint') return 'bigint';
  if (value instanceof Uint8Array) return 'binary';
  return 'other';
}

function isNumeric(kind: SetElement | 'other'): boolean {
  return kind === 'number' || kind === 'bigint';
}

/** Integers beyond the safe range keep their precision as bigints. */
function parseNumber(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(text) ? n : BigInt(text);
}
