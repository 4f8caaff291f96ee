import type { EncryptionErrorCode } from '../../../src/errors';
import type { Random } from './random';

// The envelope layout, restated here from docs/encryption-format.md on purpose: the oracle below
// predicts the outcome of a read independently of src/crypto, so a parser that drifted from the
// documented format fails these checks instead of agreeing with itself.
const MAGIC = [0x54, 0x44];
const VERSION = 1;
const FINGERPRINT_OFFSET = 3;
const FINGERPRINT_LENGTH = 16;
const W_OFFSET = 19;
const WRAPPED_OFFSET = 21;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const MIN_W = 1;
const MAX_W = 1024;
const MIN_LENGTH = 51;

/** The kinds of mutation, as counted in docs/reliability.md. */
export const MUTATION_KINDS = [
  'bitFlip',
  'byteSet',
  'truncate',
  'extend',
  'insert',
  'delete',
  'splice',
  'fieldVersion',
  'fieldMagic',
  'fieldLength',
  'fieldFingerprint',
  'fieldWrappedKey',
  'foreignWrappedKey',
  'fieldNonce',
  'fieldTag',
  'chain',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

/** A mutated envelope and how it was made. */
export interface Mutation {
  readonly kind: MutationKind;
  readonly bytes: Buffer;
}

/** What mutations may borrow from. */
export interface MutationSources {
  /** Valid envelopes of other items or attributes under the same KMS key (for splices). */
  readonly donors: readonly Buffer[];
  /** Valid envelopes made under another KMS key (their wrapped keys name that key). */
  readonly foreign: readonly Buffer[];
  /** Fingerprints of other keys, to plant in the fingerprint field. */
  readonly otherFingerprints: readonly Buffer[];
}

function wrappedLength(envelope: Buffer): number {
  return envelope.readUInt16BE(W_OFFSET);
}

/** The envelope's parts, for a valid envelope (as written by theorydb). */
function parts(envelope: Buffer) {
  const w = wrappedLength(envelope);
  return {
    prefix: envelope.subarray(0, W_OFFSET),
    wrapped: envelope.subarray(WRAPPED_OFFSET, WRAPPED_OFFSET + w),
    rest: envelope.subarray(WRAPPED_OFFSET + w),
    nonceOffset: WRAPPED_OFFSET + w,
    bodyOffset: WRAPPED_OFFSET + w + NONCE_LENGTH,
  };
}

function withWrappedKey(envelope: Buffer, wrapped: Buffer): Buffer {
  const { prefix, rest } = parts(envelope);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(wrapped.length);
  return Buffer.concat([prefix, length, wrapped, rest]);
}

function xorAt(bytes: Buffer, index: number, mask: number): void {
  bytes[index] = (bytes[index] ?? 0) ^ mask;
}

/** One primitive mutation of `input` (which need not be a valid envelope). */
function primitive(rng: Random, input: Buffer, sources: MutationSources): Mutation {
  const kind = rng.pick(MUTATION_KINDS.filter((k) => k !== 'chain'));
  const out = Buffer.from(input);
  const valid = input.length >= MIN_LENGTH && input.readUInt16BE(W_OFFSET) + 49 < input.length;
  switch (kind) {
    case 'bitFlip': {
      if (out.length === 0) return { kind, bytes: Buffer.from([1 << rng.int(8)]) };
      for (let i = rng.range(1, 4); i > 0; i -= 1) xorAt(out, rng.int(out.length), 1 << rng.int(8));
      return { kind, bytes: out };
    }
    case 'byteSet': {
      if (out.length === 0) return { kind, bytes: rng.bytes(1) };
      for (let i = rng.range(1, 8); i > 0; i -= 1) out[rng.int(out.length)] = rng.int(256);
      return { kind, bytes: out };
    }
    case 'truncate':
      return { kind, bytes: out.subarray(0, rng.int(Math.max(1, out.length))) };
    case 'extend':
      return { kind, bytes: Buffer.concat([out, rng.bytes(rng.range(1, 64))]) };
    case 'insert': {
      const at = rng.int(out.length + 1);
      return {
        kind,
        bytes: Buffer.concat([out.subarray(0, at), rng.bytes(rng.range(1, 16)), out.subarray(at)]),
      };
    }
    case 'delete': {
      if (out.length === 0) return { kind, bytes: out };
      const at = rng.int(out.length);
      const count = rng.range(1, Math.min(32, out.length - at));
      return { kind, bytes: Buffer.concat([out.subarray(0, at), out.subarray(at + count)]) };
    }
    case 'splice': {
      // Head of one envelope, tail of another, cut at independent points.
      const donor = rng.pick(sources.donors);
      const [first, second] = rng.chance(0.5) ? [out, donor] : [donor, out];
      const cutFirst = rng.int(first.length + 1);
      const cutSecond = rng.chance(0.5) ? cutFirst : rng.int(second.length + 1);
      return {
        kind,
        bytes: Buffer.concat([first.subarray(0, cutFirst), second.subarray(cutSecond)]),
      };
    }
    case 'fieldVersion':
      if (out.length > 2) out[2] = rng.pick([0, 2, 3, 0x7f, 0xff, rng.int(256)]);
      return { kind, bytes: out };
    case 'fieldMagic':
      if (out.length > 1) xorAt(out, rng.int(2), 1 + rng.int(255));
      return { kind, bytes: out };
    case 'fieldLength':
      if (out.length >= WRAPPED_OFFSET) {
        const w = out.readUInt16BE(W_OFFSET);
        out.writeUInt16BE(
          rng.pick([
            0,
            1,
            MAX_W,
            MAX_W + 1,
            0xffff,
            (w + rng.range(-3, 3)) & 0xffff,
            rng.int(0x10000),
          ]),
          W_OFFSET,
        );
      }
      return { kind, bytes: out };
    case 'fieldFingerprint':
      if (out.length >= FINGERPRINT_OFFSET + FINGERPRINT_LENGTH) {
        if (sources.otherFingerprints.length > 0 && rng.chance(0.5)) {
          rng.pick(sources.otherFingerprints).copy(out, FINGERPRINT_OFFSET);
        } else {
          xorAt(out, FINGERPRINT_OFFSET + rng.int(FINGERPRINT_LENGTH), 1 + rng.int(255));
        }
      }
      return { kind, bytes: out };
    case 'fieldWrappedKey':
      // Another valid wrapped data key of the same KMS key: KMS unwraps it, GCM then refuses.
      if (valid && sources.donors.length > 0) {
        return { kind, bytes: withWrappedKey(out, parts(rng.pick(sources.donors)).wrapped) };
      }
      return { kind, bytes: out };
    case 'foreignWrappedKey':
      // A wrapped key made under another KMS key, behind this key's fingerprint.
      if (valid && sources.foreign.length > 0) {
        return { kind, bytes: withWrappedKey(out, parts(rng.pick(sources.foreign)).wrapped) };
      }
      return { kind, bytes: out };
    case 'fieldNonce':
      if (valid) xorAt(out, parts(out).nonceOffset + rng.int(NONCE_LENGTH), 1 + rng.int(255));
      return { kind, bytes: out };
    case 'fieldTag':
      if (out.length > 0)
        xorAt(out, out.length - 1 - rng.int(Math.min(TAG_LENGTH, out.length)), 1 + rng.int(255));
      return { kind, bytes: out };
  }
}

/**
 * A random mutation of a valid envelope: one primitive (bit flips, byte changes, truncation,
 * extension, insertion, deletion, a splice with another envelope, or a targeted change of one
 * field), or with probability 1/8 a chain of two to four of them. Never the original bytes.
 *
 * @example
 * ```ts
 * const { kind, bytes } = mutateEnvelope(rng, stored, { donors, foreign, otherFingerprints });
 * ```
 */
export function mutateEnvelope(rng: Random, original: Buffer, sources: MutationSources): Mutation {
  for (;;) {
    let mutation: Mutation;
    if (rng.chance(0.125)) {
      let bytes = original;
      for (let i = rng.range(2, 4); i > 0; i -= 1) bytes = primitive(rng, bytes, sources).bytes;
      mutation = { kind: 'chain', bytes };
    } else {
      mutation = primitive(rng, original, sources);
    }
    if (!mutation.bytes.equals(original)) return mutation;
  }
}

/**
 * The codes a read of `bytes` stored in an encrypted field may fail with, predicted from the
 * documented format alone (docs/encryption-format.md §2 and §5). `viaKms` adds the outcomes KMS
 * itself can give when the wrapped key was altered.
 */
export function expectedCodes(
  bytes: Uint8Array,
  boundFingerprint: Buffer,
  viaKms: boolean,
): ReadonlySet<EncryptionErrorCode> {
  if (bytes.length < MAGIC.length || bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1]) {
    return new Set(['PLAINTEXT_IN_ENCRYPTED_FIELD']);
  }
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < MIN_LENGTH || view[2] !== VERSION) return new Set(['MALFORMED_CIPHERTEXT']);
  const w = view.readUInt16BE(W_OFFSET);
  if (w < MIN_W || w > MAX_W) return new Set(['MALFORMED_CIPHERTEXT']);
  if (view.length - TAG_LENGTH - (WRAPPED_OFFSET + w + NONCE_LENGTH) < 1) {
    return new Set(['MALFORMED_CIPHERTEXT']);
  }
  const fingerprint = view.subarray(FINGERPRINT_OFFSET, FINGERPRINT_OFFSET + FINGERPRINT_LENGTH);
  if (!fingerprint.equals(boundFingerprint)) return new Set(['KEY_NOT_ALLOWED']);
  // Past every check made before KMS: the wrapped key is unwrapped (KMS refuses an altered one:
  // INTEGRITY; one made under another key: KEY_NOT_ALLOWED) and GCM refuses anything altered.
  return new Set<EncryptionErrorCode>(viaKms ? ['INTEGRITY', 'KEY_NOT_ALLOWED'] : ['INTEGRITY']);
}

/** A tally of outcomes by name, printed sorted. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(name: string, by = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
