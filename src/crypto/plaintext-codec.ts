/**
 * Typed plaintext: the bytes an `@Encrypted` value becomes before AES-GCM, one type tag and a
 * payload, recursively. Encoding and decoding live in their own files; this is the entry point.
 *
 * @example
 * ```ts
 * import { decodePlaintext, encodePlaintext } from './plaintext-codec';
 * decodePlaintext(encodePlaintext(Buffer.from('hi'))); // <Buffer 68 69>
 * ```
 */
export { encodePlaintext, type PlaintextLocation } from './plaintext-encoder';
export { decodePlaintext } from './plaintext-decoder';
export { PlaintextTag, MAX_NESTING_DEPTH } from './plaintext-tags';
