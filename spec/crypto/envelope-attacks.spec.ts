import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { EncryptionErrorCode } from '../../src/errors';
import { parseEnvelope, type WrapEntry } from '../../src/crypto/envelope';
import { ENTRIES_OFFSET, MAGIC_LENGTH, VERSION_OFFSET } from '../../src/crypto/envelope-layout';
import {
  KEY_ARN_A,
  KEY_ARN_B,
  USER_ITEM,
  additionalEntry,
  encryptionErrorOf,
  expectEncryptionError,
  expectNoLeak,
  randomMaterial,
  readStored,
  readerMaterial,
  sealFor,
} from './fixtures/crypto-fixtures';

const SECRET = 'ada.lovelace@example.com';
const VALUES = new Map<string, unknown>([['email', SECRET]]);

/** An envelope rebuilt by hand from its parts (documented layout), for forging. */
function build(
  entries: readonly WrapEntry[],
  rest: { nonce: Buffer; ciphertext: Buffer; tag: Buffer },
): Buffer {
  const parts: Buffer[] = [Buffer.from([0x54, 0x44, 2, entries.length])];
  for (const { fingerprint, wrappedKey } of entries) {
    const w = Buffer.alloc(2);
    w.writeUInt16BE(wrappedKey.length);
    parts.push(fingerprint, w, wrappedKey);
  }
  return Buffer.concat([...parts, rest.nonce, rest.ciphertext, rest.tag]);
}

describe('envelope attacks (format v2, in process)', () => {
  // Two entries: A (first) and B; each reader holds the data key through its own entry.
  const writer = randomMaterial(KEY_ARN_A, [additionalEntry(KEY_ARN_B, 150)]);
  const readerA = readerMaterial(writer, KEY_ARN_A);
  const readerB = readerMaterial(writer, KEY_ARN_B);
  const stored = sealFor(writer, VALUES);
  const w0 = writer.entries[0].wrappedKey.length;
  const w1 = writer.entries[1].wrappedKey.length;
  const entry0 = ENTRIES_OFFSET;
  const entry1 = entry0 + 18 + w0;
  const nonceAt = entry1 + 18 + w1;
  const secrets = [SECRET, stored.toString('hex'), writer.plaintextKey.toString('hex')];

  it('the untouched envelope opens for both readers, and the offsets are the documented ones', () => {
    expect(readStored(readerA, stored).get('email')).to.equal(SECRET);
    expect(readStored(readerB, stored).get('email')).to.equal(SECRET);
    const parsed = parseEnvelope(stored);
    expect(parsed.nonce.equals(stored.subarray(nonceAt, nonceAt + 12))).to.equal(true);
    expect(parsed.header.length).to.equal(nonceAt + 12);
  });

  /** What a changed byte at `index` may cause for the reader of entry `own`, by the field it hits. */
  function allowedAfterChange(index: number, own: 0 | 1): EncryptionErrorCode[] {
    if (index < MAGIC_LENGTH || index === VERSION_OFFSET) return ['MALFORMED_CIPHERTEXT'];
    // Another count either fails to parse or splits the bytes differently (header is bound);
    // a count of 1 leaves reader B without an entry.
    if (index === VERSION_OFFSET + 1)
      return ['MALFORMED_CIPHERTEXT', 'INTEGRITY', 'KEY_NOT_ALLOWED'];
    for (const [start, mine] of [
      [entry0, own === 0],
      [entry1, own === 1],
    ] as const) {
      // The reader's own fingerprint: its entry is gone. Another entry's: the header is bound.
      if (index >= start && index < start + 16) return mine ? ['KEY_NOT_ALLOWED'] : ['INTEGRITY'];
      // A changed W either fails to parse or re-splits the entries.
      if (index >= start + 16 && index < start + 18)
        return ['MALFORMED_CIPHERTEXT', 'INTEGRITY', 'KEY_NOT_ALLOWED'];
    }
    return ['INTEGRITY'];
  }

  for (const own of [0, 1] as const) {
    it(`every single-bit flip at every byte fails, for the reader of entry ${own}`, () => {
      const reader = own === 0 ? readerA : readerB;
      const seen = new Set<EncryptionErrorCode>();
      for (let index = 0; index < stored.length; index += 1) {
        for (let bit = 0; bit < 8; bit += 1) {
          const mutated = Buffer.from(stored);
          mutated[index] ^= 1 << bit;
          const error = encryptionErrorOf(() => readStored(reader, mutated));
          expect(allowedAfterChange(index, own), `byte ${index} bit ${bit}`).to.include(error.code);
          if ((index + bit) % 37 === 0) expectNoLeak(error, secrets);
          seen.add(error.code);
        }
      }
      expect([...seen].sort()).to.deep.equal([
        'INTEGRITY',
        'KEY_NOT_ALLOWED',
        'MALFORMED_CIPHERTEXT',
      ]);
    });
  }

  it('a whole-byte corruption at every byte fails too', () => {
    for (let index = 0; index < stored.length; index += 1) {
      const mutated = Buffer.from(stored);
      mutated[index] ^= 0xff;
      expect(allowedAfterChange(index, 0), `byte ${index}`).to.include(
        encryptionErrorOf(() => readStored(readerA, mutated)).code,
      );
    }
  });

  it('truncation at every length fails: malformed until the tag fits, then INTEGRITY', () => {
    const parsable = nonceAt + 12 + 16;
    for (let length = 0; length < stored.length; length += 1) {
      const expected: EncryptionErrorCode =
        length < parsable ? 'MALFORMED_CIPHERTEXT' : 'INTEGRITY';
      const error = expectEncryptionError(
        () => readStored(readerA, stored.subarray(0, length)),
        expected,
      );
      if (length % 29 === 0) expectNoLeak(error, secrets);
    }
  });

  it('extension by 1 to 64 bytes (zeros or random) fails with INTEGRITY', () => {
    for (let extra = 1; extra <= 64; extra += 1) {
      for (const tail of [Buffer.alloc(extra), randomBytes(extra)]) {
        expectEncryptionError(
          () => readStored(readerA, Buffer.concat([stored, tail])),
          'INTEGRITY',
        );
      }
    }
  });

  describe('entries', () => {
    const parsed = parseEnvelope(stored);

    it('dropping the other entry fails for the remaining reader (INTEGRITY)', () => {
      expectEncryptionError(
        () => readStored(readerA, build([parsed.entries[0]], parsed)),
        'INTEGRITY',
      );
      expectEncryptionError(
        () => readStored(readerB, build([parsed.entries[1]], parsed)),
        'INTEGRITY',
      );
    });

    it("dropping the reader's own entry fails with KEY_NOT_ALLOWED", () => {
      expectEncryptionError(
        () => readStored(readerA, build([parsed.entries[1]], parsed)),
        'KEY_NOT_ALLOWED',
      );
      expectEncryptionError(
        () => readStored(readerB, build([parsed.entries[0]], parsed)),
        'KEY_NOT_ALLOWED',
      );
    });

    it('adding, duplicating or reordering entries fails with INTEGRITY', () => {
      const planted = additionalEntry('arn:aws:kms:eu-west-1:999999999999:key/attacker');
      for (const entries of [
        [...parsed.entries, planted],
        [planted, ...parsed.entries],
        [parsed.entries[0], parsed.entries[0], parsed.entries[1]],
        [parsed.entries[1], parsed.entries[0]],
      ]) {
        expectEncryptionError(() => readStored(readerA, build(entries, parsed)), 'INTEGRITY');
      }
    });

    it("swapping the reader's wrapped key for another one of the same KMS key fails with INTEGRITY", () => {
      const other = randomMaterial(KEY_ARN_A);
      const forged = build(
        [{ ...parsed.entries[0], wrappedKey: other.wrappedKey }, parsed.entries[1]],
        parsed,
      );
      expectEncryptionError(() => readStored(readerA, forged), 'INTEGRITY');
      // Even with the matching plaintext key: the header is bound, so the tag fails.
      expectEncryptionError(
        () => readStored(readerMaterial(other, KEY_ARN_A), forged),
        'INTEGRITY',
      );
    });
  });

  describe('swapped between keys and envelopes', () => {
    const other = randomMaterial(KEY_ARN_B);
    const storedUnderOther = sealFor(other, VALUES);

    it('an envelope of another KMS key only fails with KEY_NOT_ALLOWED', () => {
      const onlyA = randomMaterial(KEY_ARN_A);
      expectEncryptionError(() => readStored(onlyA, storedUnderOther), 'KEY_NOT_ALLOWED');
      expectEncryptionError(() => readStored(other, sealFor(onlyA, VALUES)), 'KEY_NOT_ALLOWED');
    });

    it("another key's envelope relabelled with the reader's fingerprint fails with INTEGRITY", () => {
      const forged = Buffer.from(storedUnderOther);
      readerA.fingerprint.copy(forged, ENTRIES_OFFSET);
      expectEncryptionError(() => readStored(readerA, forged), 'INTEGRITY');
    });

    it('ciphertext and tag spliced onto another genuine header fail with INTEGRITY', () => {
      const donor = parseEnvelope(sealFor(writer, new Map([['email', 'another value!!!!!!!!!!']])));
      const target = parseEnvelope(stored);
      const spliced = Buffer.concat([target.header, donor.ciphertext, donor.tag]);
      expectEncryptionError(() => readStored(readerA, spliced), 'INTEGRITY');
    });

    it('an envelope of another item fails with INTEGRITY', () => {
      const elsewhere = sealFor(writer, VALUES, { ...USER_ITEM, pk: { S: 'USER#7' } });
      expectEncryptionError(() => readStored(readerA, elsewhere), 'INTEGRITY');
    });
  });

  describe('replay', () => {
    it('an older genuine envelope of the same item state opens (a documented rollback)', () => {
      const older = sealFor(writer, new Map([['email', 'old@example.com']]));
      expect(readStored(readerA, older).get('email')).to.equal('old@example.com');
    });

    it('an older envelope fails with INTEGRITY once a signed attribute changed since', () => {
      const older = sealFor(writer, VALUES, { ...USER_ITEM, ownerEmail: { S: 'old@example.com' } });
      expectEncryptionError(() => readStored(readerA, older), 'INTEGRITY');
    });
  });
});
