import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { EncryptionErrorCode } from '../../src/errors';
import type { ValueContext } from '../../src/crypto/associated-data';
import { encodeEnvelope, parseEnvelope } from '../../src/crypto/envelope';
import {
  FINGERPRINT_OFFSET,
  MAGIC_LENGTH,
  VERSION_OFFSET,
  WRAPPED_KEY_LENGTH_OFFSET,
  WRAPPED_KEY_OFFSET,
  headerLength,
} from '../../src/crypto/envelope-layout';
import { sealValue } from '../../src/crypto/value-cipher';
import {
  KEY_ARN_B,
  USER_CONTEXT,
  encryptionErrorOf,
  expectEncryptionError,
  expectNoLeak,
  randomMaterial,
  readStored,
} from './fixtures/crypto-fixtures';

const SECRET = 'ada.lovelace@example.com';

describe('envelope attacks', () => {
  const key = randomMaterial();
  const stored = sealValue(key, SECRET, USER_CONTEXT);
  const wrapped = key.wrappedKey.length;
  const secrets = [SECRET, stored.toString('hex'), key.plaintextKey.toString('hex')];

  it('the untouched envelope opens', () => {
    expect(readStored(key, stored, USER_CONTEXT)).to.equal(SECRET);
  });

  /** What a flipped bit at `index` may cause, by the field it lands in. */
  function allowedAfterFlip(index: number): EncryptionErrorCode[] {
    if (index < MAGIC_LENGTH) return ['PLAINTEXT_IN_ENCRYPTED_FIELD'];
    if (index === VERSION_OFFSET) return ['MALFORMED_CIPHERTEXT'];
    if (index < WRAPPED_KEY_LENGTH_OFFSET) return ['KEY_NOT_ALLOWED'];
    // A changed wrapped-key length either fails to parse or splits the bytes differently,
    // which yields another wrapped key than the data key's.
    if (index < WRAPPED_KEY_OFFSET) return ['MALFORMED_CIPHERTEXT', 'INTEGRITY'];
    return ['INTEGRITY'];
  }

  it('every single-bit flip at every byte fails with the code of the field it hits', () => {
    const seen = new Set<EncryptionErrorCode>();
    for (let index = 0; index < stored.length; index += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const mutated = Buffer.from(stored);
        mutated[index] = mutated[index] ^ (1 << bit);
        const error = encryptionErrorOf(() => readStored(key, mutated, USER_CONTEXT));
        expect(allowedAfterFlip(index), `byte ${index} bit ${bit}`).to.include(error.code);
        expectNoLeak(error, secrets);
        seen.add(error.code);
      }
    }
    expect([...seen].sort()).to.deep.equal([
      'INTEGRITY',
      'KEY_NOT_ALLOWED',
      'MALFORMED_CIPHERTEXT',
      'PLAINTEXT_IN_ENCRYPTED_FIELD',
    ]);
  });

  it('a whole-byte corruption at every byte fails too', () => {
    for (let index = 0; index < stored.length; index += 1) {
      const mutated = Buffer.from(stored);
      mutated[index] = mutated[index] ^ 0xff;
      expect(allowedAfterFlip(index)).to.include(
        encryptionErrorOf(() => readStored(key, mutated, USER_CONTEXT)).code,
      );
    }
  });

  it('truncation at every length fails: no magic, malformed, or INTEGRITY', () => {
    const parsable = headerLength(wrapped) + 1 + 16;
    for (let length = 0; length < stored.length; length += 1) {
      const expected: EncryptionErrorCode =
        length < MAGIC_LENGTH
          ? 'PLAINTEXT_IN_ENCRYPTED_FIELD'
          : length < parsable
            ? 'MALFORMED_CIPHERTEXT'
            : 'INTEGRITY';
      const error = expectEncryptionError(
        () => readStored(key, stored.subarray(0, length), USER_CONTEXT),
        expected,
      );
      expectNoLeak(error, secrets);
    }
  });

  it('extension by 1 to 64 bytes (zeros or random) fails with INTEGRITY', () => {
    for (let extra = 1; extra <= 64; extra += 1) {
      for (const tail of [Buffer.alloc(extra), randomBytes(extra)]) {
        expectEncryptionError(
          () => readStored(key, Buffer.concat([stored, tail]), USER_CONTEXT),
          'INTEGRITY',
        );
      }
    }
  });

  it('an envelope with its tag removed and the bytes re-split fails', () => {
    const { tag, ...rest } = parseEnvelope(stored);
    const withoutTag = Buffer.concat([rest.header, rest.ciphertext]);
    expect(['MALFORMED_CIPHERTEXT', 'INTEGRITY']).to.include(
      encryptionErrorOf(() => readStored(key, withoutTag, USER_CONTEXT)).code,
    );
    expect(tag.length).to.equal(16);
  });

  describe('moved to another context', () => {
    const { sortKey: _sortKey, ...withoutSortKey } = USER_CONTEXT;
    const moves: Array<[string, ValueContext]> = [
      ['another attribute', { ...USER_CONTEXT, attribute: 'phone' }],
      [
        'another partition key value',
        { ...USER_CONTEXT, partitionKey: { name: 'pk', value: { S: 'USER#43' } } },
      ],
      [
        'another partition key name',
        { ...USER_CONTEXT, partitionKey: { name: 'PK', value: { S: 'USER#42' } } },
      ],
      [
        'another partition key type',
        { ...USER_CONTEXT, partitionKey: { name: 'pk', value: { B: Buffer.from('USER#42') } } },
      ],
      [
        'another sort key value',
        { ...USER_CONTEXT, sortKey: { name: 'sk', value: { S: 'PROFILE#2' } } },
      ],
      ['no sort key', withoutSortKey],
      ['another table', { ...USER_CONTEXT, table: 'app-copy' }],
      ['another entity', { ...USER_CONTEXT, entity: 'Admin' }],
    ];
    for (const [label, context] of moves) {
      it(`${label} fails with INTEGRITY`, () => {
        const error = expectEncryptionError(() => readStored(key, stored, context), 'INTEGRITY');
        expect(error.entity).to.equal(context.entity);
        // The crypto layer knows attributes, not properties: the repository names the field.
        expect(error.field).to.equal(undefined);
        expectNoLeak(error, secrets);
      });
    }
  });

  describe('swapped between keys', () => {
    const other = randomMaterial(KEY_ARN_B);
    const storedUnderOther = sealValue(other, SECRET, USER_CONTEXT);

    it('an envelope of another KMS key fails with KEY_NOT_ALLOWED, both ways', () => {
      expectEncryptionError(
        () => readStored(key, storedUnderOther, USER_CONTEXT),
        'KEY_NOT_ALLOWED',
      );
      expectEncryptionError(() => readStored(other, stored, USER_CONTEXT), 'KEY_NOT_ALLOWED');
    });

    it('a fingerprint swapped to the bound key fails with INTEGRITY (the header is bound)', () => {
      const forged = Buffer.from(storedUnderOther);
      key.fingerprint.copy(forged, FINGERPRINT_OFFSET);
      expectEncryptionError(() => readStored(key, forged, USER_CONTEXT), 'INTEGRITY');
    });

    it("a wrapped key swapped for the reader's own fails with INTEGRITY", () => {
      const parts = parseEnvelope(storedUnderOther);
      const forged = encodeEnvelope({
        ...parts,
        fingerprint: key.fingerprint,
        wrappedKey: key.wrappedKey,
      });
      expectEncryptionError(() => readStored(key, forged, USER_CONTEXT), 'INTEGRITY');
    });

    it('ciphertext and tag spliced onto another envelope header fail with INTEGRITY', () => {
      const donor = parseEnvelope(sealValue(key, 'another value!!!!!!!!!!!', USER_CONTEXT));
      const target = parseEnvelope(stored);
      const spliced = encodeEnvelope({ ...target, ciphertext: donor.ciphertext, tag: donor.tag });
      expectEncryptionError(() => readStored(key, spliced, USER_CONTEXT), 'INTEGRITY');
    });
  });
});
