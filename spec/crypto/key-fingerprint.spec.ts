import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { KEY_FINGERPRINT_LENGTH, keyFingerprint } from '../../src/crypto/key-fingerprint';
import { KEY_ARN_A, KEY_ARN_B } from './fixtures/crypto-fixtures';

describe('keyFingerprint', () => {
  it('is the first 16 bytes of SHA-256 over the UTF-8 ARN', () => {
    const digest = createHash('sha256').update(Buffer.from(KEY_ARN_A, 'utf8')).digest();
    expect(keyFingerprint(KEY_ARN_A)).to.deep.equal(digest.subarray(0, 16));
    expect(KEY_FINGERPRINT_LENGTH).to.equal(16);
  });

  it('matches a fixed vector', () => {
    expect(keyFingerprint('abc').toString('hex')).to.equal('ba7816bf8f01cfea414140de5dae2223');
  });

  it('differs between keys and returns a standalone copy', () => {
    const fingerprint = keyFingerprint(KEY_ARN_A);
    expect(fingerprint.equals(keyFingerprint(KEY_ARN_B))).to.equal(false);
    expect(fingerprint.buffer.byteLength).to.be.at.least(fingerprint.length);
    fingerprint.fill(0);
    expect(keyFingerprint(KEY_ARN_A).equals(fingerprint)).to.equal(false);
  });
});
