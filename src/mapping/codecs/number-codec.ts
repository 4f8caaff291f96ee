import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** `number` ⇄ N. DynamoDB cannot store NaN or infinities, so they are refused on write. */
export function numberCodec(site: CodecSite): AttributeCodec {
  return {
    kind: 'number',
    keyType: 'N',
    write(value) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw wrongValueType(site, 'a finite number', value);
      }
      return { N: String(value) };
    },
    read(value) {
      if (value.N === undefined) throw wrongStoredType(site, 'N', value);
      return Number(value.N);
    },
  };
}
