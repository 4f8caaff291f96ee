import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** DynamoDB stores magnitudes from 1e-130 up to (not including) 1e126, and zero. */
const MAX_MAGNITUDE = 1e126;
const MIN_MAGNITUDE = 1e-130;

/**
 * `number` ⇄ N. Values DynamoDB cannot store (NaN, infinities, magnitudes outside its range) are
 * refused before any request, rather than by DynamoDB after one.
 */
export function numberCodec(site: CodecSite): AttributeCodec {
  return {
    kind: 'number',
    keyType: 'N',
    write(value) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw wrongValueType(site, 'a finite number', value);
      }
      const magnitude = Math.abs(value);
      if (magnitude >= MAX_MAGNITUDE || (magnitude !== 0 && magnitude < MIN_MAGNITUDE)) {
        throw wrongValueType(
          site,
          'a number DynamoDB can store (magnitude 1e-130 to 1e126)',
          value,
        );
      }
      return { N: String(value) };
    },
    read(value) {
      if (value.N === undefined) throw wrongStoredType(site, 'N', value);
      return Number(value.N);
    },
  };
}
