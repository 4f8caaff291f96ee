import { expect } from 'chai';
import fc from 'fast-check';
import { EncryptionError } from '../../src/errors';
import {
  encodeEnvelopeHeader,
  hasEnvelopeMagic,
  parseEnvelope,
  type WrapEntry,
} from '../../src/crypto/envelope';
import {
  ENTRIES_OFFSET,
  ENTRY_COUNT_OFFSET,
  FIXED_LENGTH,
  FORMAT_VERSION,
  MAX_ENTRIES,
  MAX_WRAPPED_KEY_LENGTH,
  NONCE_LENGTH,
  TAG_LENGTH,
  VERSION_OFFSET,
  entryLength,
} from '../../src/crypto/envelope-layout';
import { expectEncryptionError } from './fixtures/crypto-fixtures';

const ENTRY_A: WrapEntry = {
  fingerprint: Buffer.alloc(16, 0xf1),
  wrappedKey: Buffer.from('wrapped'),
};
const ENTRY_B: WrapEntry = {
  fingerprint: Buffer.alloc(16, 0xf2),
  wrappedKey: Buffer.from('wk-b!'),
};
const NONCE = Buffer.alloc(12, 0x0c);
const BODY = Buffer.from([0xaa, 0xbb]);
const TAG = Buffer.alloc(16, 0x7a);

/** A whole envelope built by hand from the documented layout (not from the encoder). */
function handBuilt(entries: readonly WrapEntry[], body: Buffer = BODY): Buffer {
  const parts: Buffer[] = [Buffer.from([0x54, 0x44, 0x02, entries.length])];
  for (const { fingerprint, wrappedKey } of entries) {
    const w = Buffer.alloc(2);
    w.writeUInt16BE(wrappedKey.length);
    parts.push(fingerprint, w, wrappedKey);
  }
  parts.push(NONCE, body, TAG);
  return Buffer.concat(parts);
}

function envelopeOf(entries: readonly WrapEntry[], body: Buffer = BODY): Buffer {
  return Buffer.concat([encodeEnvelopeHeader(entries, NONCE), body, TAG]);
}

describe('envelope layout (format v2)', () => {
  it('names the documented offsets and lengths', () => {
    expect([VERSION_OFFSET, ENTRY_COUNT_OFFSET, ENTRIES_OFFSET]).to.deep.equal([2, 3, 4]);
    expect([FORMAT_VERSION, MAX_ENTRIES, MAX_WRAPPED_KEY_LENGTH]).to.deep.equal([2, 16, 1024]);
    expect([NONCE_LENGTH, TAG_LENGTH, FIXED_LENGTH]).to.deep.equal([12, 16, 32]);
    expect(entryLength(184)).to.equal(202);
    expect(entryLength(1)).to.equal(19);
  });
});

describe('encodeEnvelopeHeader', () => {
  it('writes magic, version, count, each entry (fingerprint, W, wrapped key), then the nonce', () => {
    const header = encodeEnvelopeHeader([ENTRY_A], NONCE);
    expect(header.toString('hex')).to.equal(
      '54440201' +
        'f1'.repeat(16) +
        '0007' +
        Buffer.from('wrapped').toString('hex') +
        '0c'.repeat(12),
    );
    expect(header.length).to.equal(4 + entryLength(7) + 12);
  });

  it('writes two entries in the given order, the bound key first', () => {
    const header = encodeEnvelopeHeader([ENTRY_A, ENTRY_B], NONCE);
    expect(header.toString('hex')).to.equal(
      '54440202' +
        'f1'.repeat(16) +
        '0007' +
        Buffer.from('wrapped').toString('hex') +
        'f2'.repeat(16) +
        '0005' +
        Buffer.from('wk-b!').toString('hex') +
        '0c'.repeat(12),
    );
    expect(Buffer.concat([header, BODY, TAG]).equals(handBuilt([ENTRY_A, ENTRY_B]))).to.equal(true);
  });

  it('refuses 0 or 17 entries, a bad fingerprint, wrapped key or nonce length', () => {
    const wrapped = (n: number): WrapEntry => ({ ...ENTRY_A, wrappedKey: Buffer.alloc(n, 1) });
    const cases: [readonly WrapEntry[], Buffer][] = [
      [[], NONCE],
      [Array.from({ length: 17 }, () => ENTRY_A), NONCE],
      [[{ ...ENTRY_A, fingerprint: Buffer.alloc(15) }], NONCE],
      [[{ ...ENTRY_A, fingerprint: Buffer.alloc(17) }], NONCE],
      [[wrapped(0)], NONCE],
      [[wrapped(1025)], NONCE],
      [[ENTRY_A], Buffer.alloc(11)],
      [[ENTRY_A], Buffer.alloc(13)],
    ];
    for (const [entries, nonce] of cases) {
      expectEncryptionError(() => encodeEnvelopeHeader(entries, nonce), 'MALFORMED_CIPHERTEXT');
    }
    expect(
      encodeEnvelopeHeader(
        Array.from({ length: 16 }, () => ENTRY_A),
        NONCE,
      )[3],
    ).to.equal(16);
    expect(encodeEnvelopeHeader([wrapped(1024)], NONCE).length).to.equal(4 + 16 + 2 + 1024 + 12);
  });
});

describe('parseEnvelope', () => {
  it('splits an envelope into views of its fields', () => {
    const bytes = handBuilt([ENTRY_A, ENTRY_B]);
    const parsed = parseEnvelope(bytes);
    expect(parsed.version).to.equal(2);
    expect(parsed.entries.map((e) => e.fingerprint.toString('hex'))).to.deep.equal([
      'f1'.repeat(16),
      'f2'.repeat(16),
    ]);
    expect(parsed.entries.map((e) => e.wrappedKey.toString())).to.deep.equal(['wrapped', 'wk-b!']);
    expect(parsed.nonce.equals(NONCE)).to.equal(true);
    expect(parsed.ciphertext.equals(BODY)).to.equal(true);
    expect(parsed.tag.equals(TAG)).to.equal(true);
    expect(parsed.header.equals(bytes.subarray(0, bytes.length - 2 - 16))).to.equal(true);
    // Views, not copies: same memory as the input.
    expect(parsed.tag.buffer).to.equal(bytes.buffer);
  });

  it('accepts an empty ciphertext (an item with no encrypted value set)', () => {
    const bytes = handBuilt([ENTRY_A], Buffer.alloc(0));
    expect(bytes.length).to.equal(FIXED_LENGTH + entryLength(7));
    const parsed = parseEnvelope(bytes);
    expect(parsed.ciphertext.length).to.equal(0);
    expect(parsed.tag.equals(TAG)).to.equal(true);
  });

  it('parses a Uint8Array view at an offset of a larger buffer', () => {
    const bytes = handBuilt([ENTRY_A]);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    const parsed = parseEnvelope(padded.subarray(5, 5 + bytes.length));
    expect(parsed.header.equals(bytes.subarray(0, parsed.header.length))).to.equal(true);
    expect(parsed.tag.equals(TAG)).to.equal(true);
  });

  it('refuses truncation at every offset', () => {
    for (const entries of [[ENTRY_A], [ENTRY_A, ENTRY_B]]) {
      const bytes = handBuilt(entries, Buffer.alloc(0));
      for (let length = 0; length < bytes.length; length += 1) {
        expectEncryptionError(
          () => parseEnvelope(bytes.subarray(0, length)),
          'MALFORMED_CIPHERTEXT',
        );
      }
      expect(parseEnvelope(bytes).entries.length).to.equal(entries.length);
    }
  });

  it('refuses a bad magic, any version but 2, and 0 or 17 entries', () => {
    const bytes = handBuilt([ENTRY_A]);
    for (const [offset, value] of [
      [0, 0x55],
      [1, 0x45],
      [2, 0],
      [2, 1],
      [2, 3],
      [2, 0xff],
      [3, 0],
      [3, 17],
      [3, 0xff],
    ]) {
      const changed = Buffer.from(bytes);
      changed[offset] = value;
      expectEncryptionError(() => parseEnvelope(changed), 'MALFORMED_CIPHERTEXT');
    }
  });

  it('parses 16 entries and refuses 17 even when the bytes are there', () => {
    const sixteen = handBuilt(Array.from({ length: 16 }, () => ENTRY_A));
    expect(parseEnvelope(sixteen).entries.length).to.equal(16);
    const seventeen = handBuilt(Array.from({ length: 17 }, () => ENTRY_A));
    expectEncryptionError(() => parseEnvelope(seventeen), 'MALFORMED_CIPHERTEXT');
  });

  it('refuses a wrapped-key length of 0 or 1025, and accepts 1 and 1024', () => {
    const w = (n: number): Buffer =>
      handBuilt([{ fingerprint: ENTRY_A.fingerprint, wrappedKey: Buffer.alloc(n, 0x33) }]);
    expect(parseEnvelope(w(1)).entries[0].wrappedKey.length).to.equal(1);
    expect(parseEnvelope(w(1024)).entries[0].wrappedKey.length).to.equal(1024);
    const zero = w(1);
    zero.writeUInt16BE(0, 4 + 16);
    expectEncryptionError(() => parseEnvelope(zero), 'MALFORMED_CIPHERTEXT');
    expectEncryptionError(() => parseEnvelope(w(1025)), 'MALFORMED_CIPHERTEXT');
    // A 1025-byte length with the bytes present in a later entry is refused as well.
    const second = handBuilt([
      ENTRY_A,
      { fingerprint: ENTRY_B.fingerprint, wrappedKey: Buffer.alloc(1025) },
    ]);
    expectEncryptionError(() => parseEnvelope(second), 'MALFORMED_CIPHERTEXT');
  });

  it('refuses a W that points past the end', () => {
    const bytes = handBuilt([ENTRY_A]);
    bytes.writeUInt16BE(bytes.length, 4 + 16);
    expectEncryptionError(() => parseEnvelope(bytes), 'MALFORMED_CIPHERTEXT');
  });

  it('reads trailing bytes as ciphertext: the GCM tag, not the parser, refuses them', () => {
    // The format has no body length; appended bytes move the tag, so opening fails (item-cipher).
    const bytes = Buffer.concat([handBuilt([ENTRY_A]), Buffer.from([1, 2, 3])]);
    const parsed = parseEnvelope(bytes);
    expect(parsed.ciphertext.length).to.equal(2 + 3);
    expect(parsed.tag.equals(TAG)).to.equal(false);
  });

  it('refuses non-envelopes with MALFORMED_CIPHERTEXT, never a RangeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const parsed = parseEnvelope(bytes);
          // Whatever parses tiles the input exactly.
          return (
            parsed.header.length + parsed.ciphertext.length + parsed.tag.length === bytes.length
          );
        } catch (error) {
          return error instanceof EncryptionError && error.code === 'MALFORMED_CIPHERTEXT';
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips every valid header through parseEnvelope', () => {
    const entry = fc.record({
      fingerprint: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b)),
      wrappedKey: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
    });
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: MAX_ENTRIES }),
        fc.uint8Array({ maxLength: 64 }),
        (entries, body) => {
          const bytes = envelopeOf(entries, Buffer.from(body));
          const parsed = parseEnvelope(bytes);
          expect(parsed.entries.length).to.equal(entries.length);
          parsed.entries.forEach((e, i) => {
            expect(e.fingerprint.equals(entries[i].fingerprint)).to.equal(true);
            expect(e.wrappedKey.equals(entries[i].wrappedKey)).to.equal(true);
          });
          expect(parsed.ciphertext.equals(Buffer.from(body))).to.equal(true);
          expect(parsed.nonce.equals(NONCE)).to.equal(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('hasEnvelopeMagic', () => {
  it('is true exactly for bytes starting with TD', () => {
    expect(hasEnvelopeMagic(Buffer.from('TD'))).to.equal(true);
    expect(hasEnvelopeMagic(Buffer.from([0x54, 0x44, 0x02]))).to.equal(true);
    expect(hasEnvelopeMagic(Buffer.from('T'))).to.equal(false);
    expect(hasEnvelopeMagic(Buffer.alloc(0))).to.equal(false);
    expect(hasEnvelopeMagic(Buffer.from('DT'))).to.equal(false);
  });
});
