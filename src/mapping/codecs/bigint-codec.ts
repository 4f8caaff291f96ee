import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** `bigint` ⇄ N, exact up to DynamoDB's 38 significant digits. */
export function bigintCodec(site: CodecSite): AttributeCodec {
  return {
    kind: 'bigint',
    keyType: 'N',
    write(value) {
      if (typeof value !== 'bigint') throw wrongValueType(site, 'a bigint', value);
      return { N: value.toString() };
    },
    read(value) {
      if (value.N === undefined) throw wrongStoredType(site, 'N', value);
      try {
        return BigInt(value.N);
      } catch {
        throw wrongStoredType(site, 'an integral N', value);
      }
    },
  };
}
