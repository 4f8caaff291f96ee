import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type AttributeCodec, type CodecSite, wrongStoredType, wrongValueType } from '../attribute-codec';

/** `T[]` ⇄ L, each element through the element type's codec. */
export function listCodec(site: CodecSite, element: () => AttributeCodec): AttributeCodec {
  return {
    kind: 'Array',
    keyType: undefined,
    write(value) {
      if (!Array.isArray(value)) throw wrongValueType(site, 'an array', value);
      const codec = element();
      const out: AttributeValue[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        const written = value[i] === null ? { NULL: true } : codec.write(value[i]);
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
