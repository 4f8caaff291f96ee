/** First capacity of a {@link ByteWriter}; most encrypted values are small. */
const INITIAL_CAPACITY = 256;

const UINT8_SIZE = 1;
const UINT32_SIZE = 4;
const FLOAT64_SIZE = 8;
const INT64_SIZE = 8;

/**
 * An append-only byte buffer for the typed plaintext. It allocates with `Buffer.alloc` (never the
 * shared `allocUnsafe` pool) and zeroes each buffer it outgrows, so plaintext is not left behind
 * in memory other code can see.
 *
 * @example
 * ```ts
 * const out = new ByteWriter();
 * out.uint8(0x06).uint32(2).utf8('hi', 2);
 * out.finish(); // <Buffer 06 00 00 00 02 68 69>
 * ```
 */
export class ByteWriter {
  private buffer = Buffer.alloc(INITIAL_CAPACITY);
  private length = 0;

  uint8(value: number): this {
    this.reserve(UINT8_SIZE);
    this.length = this.buffer.writeUInt8(value, this.length);
    return this;
  }

  uint32(value: number): this {
    this.reserve(UINT32_SIZE);
    this.length = this.buffer.writeUInt32BE(value, this.length);
    return this;
  }

  float64(value: number): this {
    this.reserve(FLOAT64_SIZE);
    this.length = this.buffer.writeDoubleBE(value, this.length);
    return this;
  }

  int64(value: bigint): this {
    this.reserve(INT64_SIZE);
    this.length = this.buffer.writeBigInt64BE(value, this.length);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** Append `text` as UTF-8 (the caller has checked it is well formed). */
  utf8(text: string, byteLength: number): this {
    this.reserve(byteLength);
    this.length += this.buffer.write(text, this.length, byteLength, 'utf8');
    return this;
  }

  /** Zero everything written so far: for an encoding abandoned halfway through. */
  wipe(): void {
    this.buffer.fill(0);
    this.length = 0;
  }

  /** The bytes written so far, as a view. The writer must not be used afterwards. */
  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.alloc(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer.fill(0);
    this.buffer = grown;
  }
}
