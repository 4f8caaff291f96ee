import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** `Uint8Array` (or `Buffer`, when declared so) ⇄ B. */
export function binaryCodec(site: CodecSite, asBuffer: boolean): AttributeCodec {
  return {
    kind: asBuffer ? 'Buffer' : 'Uint8Array',
    keyType: 'B',
    write(value) {
      if (!(value instanceof Uint8Array)) throw wrongValueType(site, 'a Uint8Array', value);
      return { B: value };
    },
    read(value) {
      if (value.B === undefined) throw wrongStoredType(site, 'B', value);
      const bytes = value.B;
      if (asBuffer) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      // The SDK may hand back a Buffer; a property declared Uint8Array gets exactly that type.
      return bytes.constructor === Uint8Array
        ? bytes
        : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}
