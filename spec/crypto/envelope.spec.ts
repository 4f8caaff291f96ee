import { expect } from 'chai';
import fc from 'fast-check';
import { EncryptionError } from '../../src/errors';
import {
  encodeEnvelope,
  encodeEnvelopeHeader,
  hasEnvelopeMagic,
  parseEnvelope,
  type EnvelopeParts,
} from '../../src/crypto/envelope';
import {
  FINGERPRINT_OFFSET,
  FORMAT_VERSION,
  HEADER_FIXED_LENGTH,
  MAX_WRAPPED_KEY_LENGTH,
  MIN_ENVELOPE_LENGTH,
  TAG_LENGTH,
  VERSION_OFFSET,
  WRAPPED_KEY_LENGTH_OFFSET,
  WRAPPED_KEY_OFFSET,
} from '../../src/crypto/envelope-layout';
import { expectEncryptionError } from './fixtures/crypto-fixtures';

const PARTS: EnvelopeParts = {
  fingerprint: Buffer.alloc(16, 0xf1),
  wrappedKey: Buffer.from('wrapped'),
  nonce: Buffer.alloc(12, 0x0c),
  ciphertext: Buffer.from([0xaa, 0xbb]),
  tag: Buffer.alloc(16, 0x7a),
};

describe('envelope layout', () => {
  it('names the documented offsets', () => {
    expect([
      VERSION_OFFSET,
      FINGERPRINT_OFFSET,
      WRAPPED_KEY_LENGTH_OFFSET,
      WRAPPED_KEY_OFFSET,
    ]).to.deep.equal([2, 3, 19, 21]);
    expect(HEADER_FIXED_LENGTH).to.equal(33);
    expect(MIN_ENVELOPE_LENGTH).to.equal(51);
  });
});

describe('encodeEnvelope', () => {
  it('writes magic, version, fingerprint, length, wrapped key, nonce, ciphertext, tag', () => {
    const bytes = encodeEnvelope(PARTS);
    expect(bytes.toString('hex')).to.equal(
      '544401' +
        'f1'.repeat(16) +
        '0007' +
        Buffer.from('wrapped').toString('hex') +
        '0c'.repeat(12) +
        'aabb' +
        '7a'.repeat(16),
    );
    expect(encodeEnvelopeHeader(PARTS).equals(bytes.subarray(0, 33 + 7))).to.equal(true);
  });

  it('round-trips through parseEnvelope', () => {
    const parsed = parseEnvelope(encodeEnvelope(PARTS));
    expect(parsed.version).to.equal(FORMAT_VERSION);
    for (const name of ['fingerprint', 'wrappedKey', 'nonce', 'ciphertext', 'tag'] as const) {
      expect(parsed[name].equals(PARTS[name]), name).to.equal(true);
    }
    expect(parsed.header.equals(encodeEnvelopeHeader(PARTS))).to.equal(true);
  });

  it('round-trips any valid parts (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: MAX_WRAPPED_KEY_LENGTH }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        (wrappedKey, ciphertext) => {
          const parts = {
            ...PARTS,
            wrappedKey: Buffer.from(wrappedKey),
            ciphertext: Buffer.from(ciphertext),
          };
          const parsed = parseEnvelope(encodeEnvelope(parts));
          return (
            parsed.wrappedKey.equals(parts.wrappedKey) && parsed.ciphertext.equals(parts.ciphertext)
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  const invalid: Array<[string, Partial<EnvelopeParts>]> = [
    ['a 15-byte fingerprint', { fingerprint: Buffer.alloc(15) }],
    ['an empty wrapped key', { wrappedKey: Buffer.alloc(0) }],
    ['a wrapped key over 1024 bytes', { wrappedKey: Buffer.alloc(MAX_WRAPPED_KEY_LENGTH + 1) }],
    ['an 11-byte nonce', { nonce: Buffer.alloc(11) }],
    ['an empty ciphertext', { ciphertext: Buffer.alloc(0) }],
    ['a 12-byte tag', { tag: Buffer.alloc(12) }],
  ];
  for (const [label, change] of invalid) {
    it(`refuses ${label}`, () => {
      expectEncryptionError(() => encodeEnvelope({ ...PARTS, ...change }), 'MALFORMED_CIPHERTEXT');
    });
  }
});

describe('hasEnvelopeMagic', () => {
  it('looks at the first two bytes only', () => {
    expect(hasEnvelopeMagic(Buffer.from('TD'))).to.equal(true);
    expect(hasEnvelopeMagic(encodeEnvelope(PARTS))).to.equal(true);
    expect(hasEnvelopeMagic(Buffer.from('T'))).to.equal(false);
    expect(hasEnvelopeMagic(new Uint8Array(0))).to.equal(false);
    expect(hasEnvelopeMagic(Buffer.from('hello'))).to.equal(false);
    expect(hasEnvelopeMagic(Buffer.from('DT'))).to.equal(false);
  });
});

describe('parseEnvelope', () => {
  const valid = encodeEnvelope(PARTS);

  it('accepts a Uint8Array view at an offset and returns views over it', () => {
    const backing = new Uint8Array(valid.length + 10);
    backing.set(valid, 5);
    const view = backing.subarray(5, 5 + valid.length);
    const parsed = parseEnvelope(view);
    expect(parsed.tag.equals(PARTS.tag)).to.equal(true);
    expect(parsed.ciphertext.buffer).to.equal(backing.buffer);
  });

  it('accepts the smallest envelope (1-byte wrapped key, 1-byte ciphertext)', () => {
    const smallest = encodeEnvelope({
      ...PARTS,
      wrappedKey: Buffer.alloc(1),
      ciphertext: Buffer.alloc(1),
    });
    expect(smallest.length).to.equal(MIN_ENVELOPE_LENGTH);
    expect(parseEnvelope(smallest).ciphertext.length).to.equal(1);
  });

  it('rejects anything shorter than the smallest envelope', () => {
    for (let length = 0; length < MIN_ENVELOPE_LENGTH; length += 1) {
      expectEncryptionError(
        () => parseEnvelope(valid.subarray(0, Math.min(length, valid.length))),
        'MALFORMED_CIPHERTEXT',
      );
    }
  });

  it('rejects a missing magic, an unknown version and out-of-range wrapped-key lengths', () => {
    const noMagic = Buffer.from(valid);
    noMagic[0] = 0;
    expectEncryptionError(() => parseEnvelope(noMagic), 'MALFORMED_CIPHERTEXT');
    for (const version of [0, 2, 0xff]) {
      const other = Buffer.from(valid);
      other[VERSION_OFFSET] = version;
      expectEncryptionError(() => parseEnvelope(other), 'MALFORMED_CIPHERTEXT');
    }
    for (const length of [0, MAX_WRAPPED_KEY_LENGTH + 1, 0xffff]) {
      const other = Buffer.from(valid);
      other.writeUInt16BE(length, WRAPPED_KEY_LENGTH_OFFSET);
      expectEncryptionError(() => parseEnvelope(other), 'MALFORMED_CIPHERTEXT');
    }
  });

  it('rejects a wrapped-key length that leaves no ciphertext byte before the tag', () => {
    const noCiphertext = Buffer.concat([encodeEnvelopeHeader(PARTS), PARTS.tag]);
    expectEncryptionError(() => parseEnvelope(noCiphertext), 'MALFORMED_CIPHERTEXT');
    const tooLong = Buffer.from(valid);
    tooLong.writeUInt16BE(PARTS.wrappedKey.length + 3, WRAPPED_KEY_LENGTH_OFFSET);
    expectEncryptionError(() => parseEnvelope(tooLong), 'MALFORMED_CIPHERTEXT');
  });

  it('gives messages without bytes', () => {
    const error = expectEncryptionError(
      () => parseEnvelope(Buffer.alloc(60, 0x41)),
      'MALFORMED_CIPHERTEXT',
    );
    expect(error.message).to.not.match(/41|AAAA/);
  });

  it('never throws anything but MALFORMED_CIPHERTEXT on random bytes (10,000 runs)', () => {
    const magicPrefixed = fc
      .tuple(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 300 }),
        fc.uint8Array({ maxLength: 400 }),
      )
      .map(([version, wrappedLength, rest]) => {
        const head = Buffer.alloc(WRAPPED_KEY_OFFSET);
        head.write('TD', 0, 'latin1');
        head[VERSION_OFFSET] = version;
        head.writeUInt16BE(wrappedLength, WRAPPED_KEY_LENGTH_OFFSET);
        return new Uint8Array(Buffer.concat([head, rest]));
      });
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 400 }), magicPrefixed);
    fc.assert(
      fc.property(bytes, (input) => {
        try {
          const parsed = parseEnvelope(input);
          // A successful parse accounts for every byte exactly once.
          const total = parsed.header.length + parsed.ciphertext.length + parsed.tag.length;
          return (
            total === input.length &&
            parsed.tag.length === TAG_LENGTH &&
            parsed.ciphertext.length >= 1 &&
            parsed.nonce.length === 12 &&
            parsed.fingerprint.length === 16
          );
        } catch (error) {
          return error instanceof EncryptionError && error.code === 'MALFORMED_CIPHERTEXT';
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
