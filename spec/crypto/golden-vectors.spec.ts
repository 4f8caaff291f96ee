import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { associatedData, type ValueContext } from '../../src/crypto/associated-data';
import type { DataKeyMaterial } from '../../src/crypto/data-key';
import { parseEnvelope } from '../../src/crypto/envelope';
import { insecureSealWithFixedNonce } from '../../src/crypto/insecure-fixed-nonce';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import { encodePlaintext } from '../../src/crypto/plaintext-codec';
import { readStored } from './fixtures/crypto-fixtures';
import { exactDifference } from './fixtures/exact-equal';
import { GOLDEN_VALUES } from './fixtures/golden-values';

interface GoldenFixture {
  key: { keyArn: string; fingerprintHex: string; plaintextKeyHex: string; wrappedKeyHex: string };
  contexts: Record<string, ValueContext>;
  vectors: Array<{
    name: string;
    context: string;
    nonceHex: string;
    plaintextHex: string;
    aadHex: string;
    envelopeHex: string;
  }>;
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'golden-vectors.json'), 'utf8'),
) as GoldenFixture;

const key: DataKeyMaterial = {
  keyArn: fixture.key.keyArn,
  fingerprint: Buffer.from(fixture.key.fingerprintHex, 'hex'),
  plaintextKey: Buffer.from(fixture.key.plaintextKeyHex, 'hex'),
  wrappedKey: Buffer.from(fixture.key.wrappedKeyHex, 'hex'),
};

/** Offsets written out by hand from docs/encryption-format.md, not taken from the layout module. */
const DOC = { fingerprintEnd: 19, wrappedLengthEnd: 21, nonceLength: 12, tagLength: 16 };

describe('golden vectors (format v1)', () => {
  it('has a vector for every golden value', () => {
    expect(fixture.vectors.map((vector) => vector.name)).to.have.members(
      Object.keys(GOLDEN_VALUES),
    );
  });

  it('the fixture fingerprint is SHA-256(ARN)[0..16)', () => {
    expect(keyFingerprint(fixture.key.keyArn).toString('hex')).to.equal(fixture.key.fingerprintHex);
  });

  for (const vector of fixture.vectors) {
    describe(vector.name, () => {
      const value = GOLDEN_VALUES[vector.name];
      const context = fixture.contexts[vector.context];
      const nonce = Buffer.from(vector.nonceHex, 'hex');
      const envelope = Buffer.from(vector.envelopeHex, 'hex');

      it('encodes to the exact typed plaintext', () => {
        expect(encodePlaintext(value).toString('hex')).to.equal(vector.plaintextHex);
      });

      it('seals to the exact envelope bytes', () => {
        expect(insecureSealWithFixedNonce(key, value, context, nonce).toString('hex')).to.equal(
          vector.envelopeHex,
        );
      });

      it('has the documented header and AAD', () => {
        const wrappedLength = key.wrappedKey.length;
        const header =
          '544401' +
          fixture.key.fingerprintHex +
          wrappedLength.toString(16).padStart(4, '0') +
          fixture.key.wrappedKeyHex +
          vector.nonceHex;
        expect(vector.envelopeHex.startsWith(header)).to.equal(true);
        expect(associatedData(parseEnvelope(envelope).header, context).toString('hex')).to.equal(
          vector.aadHex,
        );
      });

      it('is plain AES-256-GCM over the typed plaintext with that AAD (independent check)', () => {
        const ciphertextStart = DOC.wrappedLengthEnd + key.wrappedKey.length + DOC.nonceLength;
        const tagStart = envelope.length - DOC.tagLength;
        const decipher = createDecipheriv('aes-256-gcm', key.plaintextKey, nonce, {
          authTagLength: DOC.tagLength,
        });
        decipher.setAAD(Buffer.from(vector.aadHex, 'hex'));
        decipher.setAuthTag(envelope.subarray(tagStart));
        const plaintext = Buffer.concat([
          decipher.update(envelope.subarray(ciphertextStart, tagStart)),
          decipher.final(),
        ]);
        expect(plaintext.toString('hex')).to.equal(vector.plaintextHex);
        expect(envelope.subarray(3, DOC.fingerprintEnd).toString('hex')).to.equal(
          fixture.key.fingerprintHex,
        );
      });

      it('opens back to the value with its exact type', () => {
        expect(exactDifference(readStored(key, envelope, context), value)).to.equal(undefined);
      });
    });
  }
});
