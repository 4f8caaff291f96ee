/**
 * The type tag that starts every typed-plaintext value. Values are stable: they are part of the
 * stored format (`docs/encryption-format.md`). Tag 0x00 is unused so that zeroed memory never
 * decodes as a value.
 *
 * @example
 * ```ts
 * encodePlaintext(true)[0] === PlaintextTag.True; // true
 * ```
 */
export const PlaintextTag = {
  /** `null`; no payload. */
  Null: 0x01,
  /** `false`; no payload. */
  False: 0x02,
  /** `true`; no payload. */
  True: 0x03,
  /** A number: IEEE 754 float64, big-endian (8 bytes). */
  Number: 0x04,
  /** A bigint: sign byte (0 or 1 for negative), uint32 length, minimal big-endian magnitude. */
  BigInt: 0x05,
  /** A string: uint32 length, UTF-8 bytes. */
  String: 0x06,
  /** A Date: int64 big-endian milliseconds since the epoch (8 bytes). */
  Date: 0x07,
  /** A Uint8Array that is not a Buffer: uint32 length, bytes. */
  Uint8Array: 0x08,
  /** A Buffer: uint32 length, bytes. */
  Buffer: 0x09,
  /** An array: uint32 count, then each element. */
  Array: 0x0a,
  /** A Set: uint32 count, then each element in iteration order. */
  Set: 0x0b,
  /** A Map: uint32 count, then key and value of each entry in iteration order. */
  Map: 0x0c,
  /** A plain object: uint32 count, then (uint32 length, UTF-8 key, value) per property. */
  Object: 0x0d,
  /** An object with a null prototype: same payload as {@link PlaintextTag.Object}. */
  NullPrototypeObject: 0x0e,
} as const;

/** Containers nested deeper than this are refused on encode and rejected on decode. */
export const MAX_NESTING_DEPTH = 64;

/** Byte sizes of the type tag and of the uint32 lengths and counts of the typed plaintext. */
export const TAG_SIZE = 1;
export const LENGTH_SIZE = 4;

/** The bigint sign byte. */
export const BIGINT_NON_NEGATIVE = 0x00;
export const BIGINT_NEGATIVE = 0x01;

/** ECMAScript's Date range: +-8.64e15 ms around the epoch. */
export const MAX_DATE_MS = 8_640_000_000_000_000;
