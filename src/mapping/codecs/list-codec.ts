import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** `T[]` ⇄ L, each element through the element type's codec. */
export function listCodec(site: CodecSite, element: () => AttributeCodec): AttributeCodec {
  return {
    kind: 'Array',
    keyType: undefined,
    write(value) {
      if (!Array.isArray(value)) throw wrongValueType(site, 'an array', value);
      const codec = element();
      const entries: readonly unknown[] = value;
      const out = new Array<AttributeValue>(entries.length);
      for (let i = 0; i < entries.length; i++) {
        const written = entries[i] === null ? { NULL: true } : codec.write(entries[i]);
        if (written === undefined) {
          throw wrongValueType(site, `an array without undefined elements (index ${i})`, undefined);
        }
        out[i] = written;
      }
      return { L: out };
    },
    read(value) {
      if (value.L === undefined) throw wrongStoredType(site, 'L', value);
      const codec = element();
      return value.L.map((entry) => (entry.NULL === true ? null : codec.read(entry)));
    },
  };
}
