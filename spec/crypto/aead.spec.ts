import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { open, seal } from '../../src/crypto/aead';
import { expectEncryptionError, expectNoLeak } from './fixtures/crypto-fixtures';

describe('AES-256-GCM', () => {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const aad = Buffer.from('associated');
  const plaintext = Buffer.from('top secret plaintext');
  const { ciphertext, tag } = seal(key, nonce, plaintext, aad);

  it('round-trips, with a 16-byte tag and ciphertext as long as the plaintext', () => {
    expect(tag.length).to.equal(16);
    expect(ciphertext.length).to.equal(plaintext.length);
    expect(open(key, nonce, ciphertext, tag, aad).equals(plaintext)).to.equal(true);
  });

  it('matches an independent known answer (NIST GCM test case 13: zero key, empty input)', () => {
    const sealed = seal(Buffer.alloc(32), Buffer.alloc(12), Buffer.alloc(0), Buffer.alloc(0));
    expect(sealed.tag.toString('hex')).to.equal('530f8afbc74536b9a963b4f1c4cb738b');
  });

  const tampered: Array<[string, () => unknown]> = [
    ['another key', () => open(randomBytes(32), nonce, ciphertext, tag, aad)],
    ['another nonce', () => open(key, randomBytes(12), ciphertext, tag, aad)],
    ['another AAD', () => open(key, nonce, ciphertext, tag, Buffer.from('associatee'))],
    ['a flipped ciphertext bit', () => open(key, nonce, flip(ciphertext, 3), tag, aad)],
    ['a flipped tag bit', () => open(key, nonce, ciphertext, flip(tag, 15), aad)],
    ['a truncated ciphertext', () => open(key, nonce, ciphertext.subarray(1), tag, aad)],
  ];
  for (const [label, action] of tampered) {
    it(`fails with INTEGRITY for ${label}, without plaintext in the error`, () => {
      const error = expectEncryptionError(action, 'INTEGRITY');
      expectNoLeak(error, ['top secret', plaintext.toString('hex'), ciphertext.toString('hex')]);
    });
  }

  it('checks key, nonce and tag lengths', () => {
    expectEncryptionError(() => seal(randomBytes(16), nonce, plaintext, aad), 'KMS_ERROR');
    expectEncryptionError(() => open(randomBytes(31), nonce, ciphertext, tag, aad), 'KMS_ERROR');
    expectEncryptionError(() => seal(key, randomBytes(16), plaintext, aad), 'MALFORMED_CIPHERTEXT');
    expectEncryptionError(
      () => open(key, randomBytes(8), ciphertext, tag, aad),
      'MALFORMED_CIPHERTEXT',
    );
    expectEncryptionError(
      () => open(key, nonce, ciphertext, tag.subarray(0, 12), aad),
      'MALFORMED_CIPHERTEXT',
    );
  });
});

function flip(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = copy[index] ^ 0x01;
  return copy;
}
