import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** `string` ⇄ S. */
export function stringCodec(site: CodecSite): AttributeCodec {
  return {
    kind: 'string',
    keyType: 'S',
    write(value) {
      if (typeof value !== 'string') throw wrongValueType(site, 'a string', value);
      return { S: value };
    },
    read(value) {
      if (value.S === undefined) throw wrongStoredType(site, 'S', value);
      return value.S;
    },
  };
}
