import { createHash } from 'node:crypto';
import { expect } from 'chai';
import {
  KEY_FINGERPRINT_LENGTH,
  keyFingerprint,
  keyIdentity,
} from '../../src/crypto/key-fingerprint';
import {
  KEY_ARN_A,
  KEY_ARN_B,
  MRK_ARN_EU,
  MRK_ARN_OTHER,
  MRK_ARN_US,
} from './fixtures/crypto-fixtures';

const sha16 = (text: string): string =>
  createHash('sha256').update(Buffer.from(text, 'utf8')).digest().subarray(0, 16).toString('hex');

describe('keyIdentity', () => {
  it('empties the region of a multi-region key ARN', () => {
    expect(keyIdentity(MRK_ARN_EU)).to.equal(
      'arn:aws:kms::111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    );
    expect(keyIdentity(MRK_ARN_US)).to.equal(keyIdentity(MRK_ARN_EU));
  });

  it('keeps every other ARN as it is', () => {
    for (const arn of [
      KEY_ARN_A,
      'arn:aws:kms:eu-west-1:111122223333:alias/mrk-1234abcd',
      'arn:aws:kms:eu-west-1:111122223333:key/mrk-XYZ',
      'mrk-1234abcd12ab34cd56ef1234567890ab',
      'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd/extra',
    ]) {
      expect(keyIdentity(arn), arn).to.equal(arn);
    }
  });

  it('keeps partition, account and key id apart', () => {
    const ids = [
      MRK_ARN_EU,
      MRK_ARN_EU.replace('arn:aws:', 'arn:aws-cn:'),
      MRK_ARN_EU.replace('111122223333', '444455556666'),
      MRK_ARN_OTHER,
    ].map(keyIdentity);
    expect(new Set(ids).size).to.equal(4);
  });
});

describe('keyFingerprint', () => {
  it('is the first 16 bytes of SHA-256 over the UTF-8 key identity', () => {
    expect(keyFingerprint(KEY_ARN_A).toString('hex')).to.equal(sha16(KEY_ARN_A));
    expect(keyFingerprint(MRK_ARN_EU).toString('hex')).to.equal(sha16(keyIdentity(MRK_ARN_EU)));
    expect(KEY_FINGERPRINT_LENGTH).to.equal(16);
  });

  it('matches fixed vectors', () => {
    expect(keyFingerprint('abc').toString('hex')).to.equal('ba7816bf8f01cfea414140de5dae2223');
    expect(keyFingerprint(KEY_ARN_A).toString('hex')).to.equal('da89cca8b044157717690d55bbe4ca76');
  });

  it('is shared by MRK replicas, and by nothing else', () => {
    expect(keyFingerprint(MRK_ARN_US).equals(keyFingerprint(MRK_ARN_EU))).to.equal(true);
    const others = [
      MRK_ARN_OTHER,
      MRK_ARN_EU.replace('111122223333', '444455556666'),
      MRK_ARN_EU.replace('arn:aws:', 'arn:aws-us-gov:'),
    ];
    for (const arn of others) {
      expect(keyFingerprint(arn).equals(keyFingerprint(MRK_ARN_EU)), arn).to.equal(false);
    }
  });

  it('differs for a single-region key whose ARN differs only by region', () => {
    const otherRegion = KEY_ARN_A.replace('eu-west-1', 'us-east-1');
    expect(keyFingerprint(otherRegion).equals(keyFingerprint(KEY_ARN_A))).to.equal(false);
  });

  it('differs between keys and returns a standalone copy', () => {
    const fingerprint = keyFingerprint(KEY_ARN_A);
    expect(fingerprint.equals(keyFingerprint(KEY_ARN_B))).to.equal(false);
    expect(fingerprint.buffer.byteLength).to.be.at.least(fingerprint.length);
    fingerprint.fill(0);
    expect(keyFingerprint(KEY_ARN_A).equals(fingerprint)).to.equal(false);
  });
});
