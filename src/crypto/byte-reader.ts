import { EncryptionError } from '../errors';

const UINT8_SIZE = 1;
const UINT32_SIZE = 4;
const FLOAT64_SIZE = 8;
const INT64_SIZE = 8;

/**
 * A bounds-checked cursor over decrypted typed plaintext. Every read checks the remaining length
 * first and fails with `MALFORMED_CIPHERTEXT`, never with a RangeError or a short read.
 *
 * @example
 * ```ts
 * const input = new ByteReader(plaintext);
 * const tag = input.uint8();
 * const text = input.bytes(input.uint32());
 * ```
 */
export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  /** Bytes not yet read. */
  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  uint8(): number {
    return this.buffer.readUInt8(this.advance(UINT8_SIZE));
  }

  uint32(): number {
    return this.buffer.readUInt32BE(this.advance(UINT32_SIZE));
  }

  float64(): number {
    return this.buffer.readDoubleBE(this.advance(FLOAT64_SIZE));
  }

  int64(): bigint {
    return this.buffer.readBigInt64BE(this.advance(INT64_SIZE));
  }

  /** The next `length` bytes, as a view over the input (copy before handing them out). */
  bytes(length: number): Buffer {
    const start = this.advance(length);
    return this.buffer.subarray(start, start + length);
  }

  private advance(size: number): number {
    if (size > this.remaining) throw malformedPlaintext('is truncated');
    const start = this.offset;
    this.offset += size;
    return start;
  }
}

/**
 * The error for a typed plaintext that does not decode. It can only be reached with a valid GCM
 * tag (a bug, or a forged key), so the message says what is wrong and nothing of the bytes.
 *
 * @example
 * ```ts
 * throw malformedPlaintext('has trailing bytes'); // "decrypted value has trailing bytes"
 * ```
 */
export function malformedPlaintext(problem: string): EncryptionError {
  return new EncryptionError('MALFORMED_CIPHERTEXT', `decrypted value ${problem}`);
}
