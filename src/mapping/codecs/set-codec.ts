import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';
import { preciseNumber } from './precise-number';

/** The element type of a set, when declared with `items`. */
export type SetElement = 'string' | 'number' | 'bigint' | 'binary' | 'buffer';

type StoredFamily = 'string' | 'number' | 'binary';

const FAMILY: Record<SetElement, StoredFamily> = {
  string: 'string',
  number: 'number',
  bigint: 'number',
  binary: 'binary',
  buffer: 'binary',
};

/**
 * `Set` ⇄ SS, NS or BS. DynamoDB cannot store an empty set, so an empty set is left out and loads
 * as `undefined`. Without a declared element type the set's own elements decide, and numbers load
 * as numbers unless a double would round them (then as bigints).
 */
export function setCodec(site: CodecSite, element: SetElement | undefined): AttributeCodec {
  const declared = element === undefined ? undefined : FAMILY[element];
  return {
    kind: 'Set',
    keyType: undefined,
    write(value) {
      if (!(value instanceof Set)) throw wrongValueType(site, 'a Set', value);
      if (value.size === 0) return undefined;
      const family = declared ?? familyOf(value.values().next().value);
      if (family === undefined) {
        throw wrongValueType(site, 'a Set of strings, numbers, bigints or binaries', value);
      }
      const out: unknown[] = [];
      for (const entry of value) {
        if (familyOf(entry) !== family)
          throw wrongValueType(site, `a Set of ${family} values`, entry);
        out.push(family === 'binary' ? entry : String(entry));
      }
      if (family === 'string') return { SS: out as string[] };
      if (family === 'binary') return { BS: out as Uint8Array[] };
      return { NS: out as string[] };
    },
    read(value) {
      const stored: StoredFamily | undefined =
        value.SS !== undefined
          ? 'string'
          : value.NS !== undefined
            ? 'number'
            : value.BS !== undefined
              ? 'binary'
              : undefined;
      if (stored === undefined) throw wrongStoredType(site, 'SS, NS or BS', value);
      if (declared !== undefined && declared !== stored) {
        throw wrongStoredType(site, `a set of ${element}`, value);
      }
      if (value.SS !== undefined) return new Set(value.SS);
      if (value.BS !== undefined) {
        return new Set(element === 'buffer' ? value.BS.map(asBuffer) : value.BS.map(asUint8Array));
      }
      const numbers = value.NS ?? [];
      if (element === 'bigint') return new Set(numbers.map((n) => BigInt(n)));
      return new Set(numbers.map(element === 'number' ? Number : preciseNumber));
    },
  };
}

function familyOf(value: unknown): StoredFamily | undefined {
  if (typeof value === 'string') return 'string';
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') {
    return 'number';
  }
  if (value instanceof Uint8Array) return 'binary';
  return undefined;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The SDK may hand back Buffers; a set declared (or found) as binary gets plain Uint8Arrays. */
function asUint8Array(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
