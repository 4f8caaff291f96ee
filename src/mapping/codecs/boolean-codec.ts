import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** `boolean` ⇄ BOOL. */
export function booleanCodec(site: CodecSite): AttributeCodec {
  return {
    kind: 'boolean',
    keyType: undefined,
    write(value) {
      if (typeof value !== 'boolean') throw wrongValueType(site, 'a boolean', value);
      return { BOOL: value };
    },
    read(value) {
      if (value.BOOL === undefined) throw wrongStoredType(site, 'BOOL', value);
      return value.BOOL;
    },
  };
}
