import { expect } from 'chai';
import { EncryptionError, ValidationError } from '../../src/errors';
import type { ValueContext } from '../../src/crypto/associated-data';
import { parseEnvelope } from '../../src/crypto/envelope';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import { openValue, sealValue } from '../../src/crypto/value-cipher';
import {
  KEY_ARN_A,
  KEY_ARN_B,
  USER_CONTEXT,
  expectEncryptionError,
  expectNoLeak,
  randomMaterial,
  readStored,
} from './fixtures/crypto-fixtures';
import { exactDifference } from './fixtures/exact-equal';

describe('sealValue / openValue', () => {
  const key = randomMaterial();

  const values: Array<[string, unknown]> = [
    ['a string', 'ada@example.com'],
    ['a number', -0],
    ['a bigint', 2n ** 70n],
    ['a Date', new Date('2000-01-01T00:00:00Z')],
    ['a Buffer', Buffer.from([1, 2, 3])],
    ['an object', { card: '4111', exp: { month: 12, year: 2030 }, tags: new Set(['a']) }],
  ];
  for (const [label, value] of values) {
    it(`round-trips ${label} with its type`, () => {
      const stored = sealValue(key, value, USER_CONTEXT);
      expect(exactDifference(readStored(key, stored, USER_CONTEXT), value)).to.equal(undefined);
    });
  }

  it('stores the key fingerprint and wrapped key, and uses a fresh nonce each time', () => {
    const first = parseEnvelope(sealValue(key, 'same', USER_CONTEXT));
    const second = parseEnvelope(sealValue(key, 'same', USER_CONTEXT));
    expect(first.fingerprint.equals(keyFingerprint(KEY_ARN_A))).to.equal(true);
    expect(first.wrappedKey.equals(key.wrappedKey)).to.equal(true);
    expect(first.nonce.equals(second.nonce)).to.equal(false);
    expect(first.ciphertext.equals(second.ciphertext)).to.equal(false);
  });

  it('opens a value keyed by N 1e21 when read back as DynamoDB returns it', () => {
    const written: ValueContext = {
      ...USER_CONTEXT,
      partitionKey: { name: 'id', value: { N: '1e21' } },
    };
    const read: ValueContext = {
      ...USER_CONTEXT,
      partitionKey: { name: 'id', value: { N: '1000000000000000000000' } },
    };
    expect(readStored(key, sealValue(key, 'x', written), read)).to.equal('x');
  });

  it('refuses unsupported values with a ValidationError before any crypto', () => {
    const error = (() => {
      try {
        sealValue(key, () => 'nope', USER_CONTEXT);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).to.be.instanceOf(ValidationError);
    // This layer knows the entity; the repository's own encoding names the property too.
    expect((error as ValidationError).message).to.contain('encrypted field User');
  });

  it('refuses key material whose fingerprint is not that of its ARN', () => {
    const inconsistent = { ...randomMaterial(KEY_ARN_A), fingerprint: keyFingerprint(KEY_ARN_B) };
    const error = expectEncryptionError(
      () => sealValue(inconsistent, 'x', USER_CONTEXT),
      'KEY_NOT_ALLOWED',
    );
    expect(error.keyArn).to.equal(KEY_ARN_A);
  });

  it('refuses a data key that is not 32 bytes', () => {
    const short = { ...randomMaterial(), plaintextKey: Buffer.alloc(16) };
    expectEncryptionError(() => sealValue(short, 'x', USER_CONTEXT), 'KMS_ERROR');
  });

  it('refuses to open with key material of another KMS key (KEY_NOT_ALLOWED), naming where', () => {
    const stored = sealValue(key, 'ada@example.com', USER_CONTEXT);
    const error = expectEncryptionError(
      () => openValue(randomMaterial(KEY_ARN_B), parseEnvelope(stored), USER_CONTEXT),
      'KEY_NOT_ALLOWED',
    );
    expect(error).to.be.instanceOf(EncryptionError);
    expect([error.entity, error.field, error.keyArn]).to.deep.equal(['User', undefined, KEY_ARN_B]);
    expectNoLeak(error, ['ada@example.com', stored.toString('hex'), stored.toString('base64')]);
  });

  it('refuses to open with another data key of the same KMS key (INTEGRITY)', () => {
    const stored = sealValue(key, 'x', USER_CONTEXT);
    expectEncryptionError(
      () => readStored(randomMaterial(KEY_ARN_A), stored, USER_CONTEXT),
      'INTEGRITY',
    );
  });

  it('refuses a hand-made envelope of another version', () => {
    const envelope = { ...parseEnvelope(sealValue(key, 'x', USER_CONTEXT)), version: 2 };
    expectEncryptionError(() => openValue(key, envelope, USER_CONTEXT), 'MALFORMED_CIPHERTEXT');
  });
});
