import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { itemAadEncoder, type StoredItem } from '../../src/crypto/associated-data';
import { dataKeyMaterial, type DataKeyMaterial } from '../../src/crypto/data-key';
import { parseEnvelope } from '../../src/crypto/envelope';
import { insecureSealWithFixedNonce } from '../../src/crypto/insecure-fixed-nonce';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import { encodePlaintext } from '../../src/crypto/plaintext-codec';
import { expectEncryptionError, readStored } from './fixtures/crypto-fixtures';
import { exactDifference } from './fixtures/exact-equal';
import { GOLDEN_ITEM_VALUES, GOLDEN_VALUES } from './fixtures/golden-values';
import {
  bodyOf,
  buildFixture,
  keyMaterial,
  type GoldenFixture,
} from './fixtures/golden-vector-inputs';

const fixture = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'golden-vectors.json'), 'utf8'),
) as GoldenFixture;

const plaintextKey = Buffer.from(fixture.plaintextKeyHex, 'hex');

/** A reader bound to `name`: the data key as its own entry of `envelope` unwraps it. */
function reader(name: string, envelope: Buffer): DataKeyMaterial {
  const { keyArn, fingerprintHex, wrappedKeyHex } = fixture.keys[name];
  const own = parseEnvelope(envelope).entries.find(
    (entry) => entry.fingerprint.toString('hex') === fingerprintHex,
  );
  return dataKeyMaterial(
    keyArn,
    Buffer.from(plaintextKey),
    own === undefined ? Buffer.from(wrappedKeyHex, 'hex') : Buffer.from(own.wrappedKey),
  );
}

/** Offsets written out by hand from docs/encryption-format.md, not taken from the layout module. */
const DOC = { entriesOffset: 4, fingerprintLength: 16, nonceLength: 12, tagLength: 16 };

const u16 = (n: number): string => n.toString(16).padStart(4, '0');

describe('golden vectors (format v2)', () => {
  it('the JSON file is what the generator produces from its inputs', () => {
    // Fails when the format changed without regenerating, or the file was edited by hand.
    expect(JSON.parse(JSON.stringify(buildFixture()))).to.deep.equal(fixture);
  });

  it('has the four known-answer vectors and an attack per documented attack', () => {
    expect(fixture.vectors.map((v) => v.name)).to.deep.equal([
      'credential',
      'multi-key',
      'signed-only',
      'mrk',
    ]);
    expect(fixture.attacks.length).to.be.at.least(15);
    expect(new Set(fixture.attacks.map((a) => a.code))).to.deep.equal(
      new Set(['INTEGRITY', 'MALFORMED_CIPHERTEXT', 'KEY_NOT_ALLOWED']),
    );
  });

  it('each key fingerprint is SHA-256 of its identity; MRK replicas share one', () => {
    for (const { keyArn, fingerprintHex } of Object.values(fixture.keys)) {
      expect(keyFingerprint(keyArn).toString('hex'), keyArn).to.equal(fingerprintHex);
    }
    expect(fixture.keys['mrk-eu'].fingerprintHex).to.equal(fixture.keys['mrk-us'].fingerprintHex);
    expect(fixture.keys['key-a'].fingerprintHex).to.not.equal(
      fixture.keys['key-a-other-region'].fingerprintHex,
    );
  });

  it('docs/encryption-format.md quotes the signed-only envelope byte for byte', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'encryption-format.md'), 'utf8');
    const block = /The 78-byte envelope:\n\n```text\n([\s\S]*?)```/.exec(doc);
    expect(block, 'the worked vector block').to.not.equal(null);
    // Each line: hex groups, then two or more spaces and a comment.
    const hex = block![1]
      .split('\n')
      .map((line) => line.split(/ {2,}/)[0].replace(/ /g, ''))
      .join('');
    const vector = fixture.vectors.find((v) => v.name === 'signed-only')!;
    expect(hex).to.equal(vector.envelopeHex);
    expect(hex.length / 2).to.equal(78);
  });

  it('the typed plaintext of every golden value is the stored one', () => {
    expect(Object.keys(fixture.plaintexts)).to.have.members(Object.keys(GOLDEN_VALUES));
    for (const [name, hex] of Object.entries(fixture.plaintexts)) {
      expect(encodePlaintext(GOLDEN_VALUES[name]).toString('hex'), name).to.equal(hex);
    }
  });

  for (const vector of fixture.vectors) {
    describe(`vector ${vector.name}`, () => {
      const envelope = Buffer.from(vector.envelopeHex, 'hex');
      const nonce = Buffer.from(vector.nonceHex, 'hex');
      const item = vector.item as StoredItem;
      const schema = fixture.schemas[vector.schema];
      const values = GOLDEN_ITEM_VALUES[vector.name];

      it('seals to the exact envelope bytes', () => {
        const key = keyMaterial(vector.wrappingKeys[0], vector.wrappingKeys.slice(1));
        const aadOf = itemAadEncoder(schema);
        const body = bodyOf(values);
        expect(body.toString('hex')).to.equal(vector.bodyHex);
        const sealed = insecureSealWithFixedNonce(key, body, (h) => aadOf(h, item), nonce);
        expect(sealed.toString('hex')).to.equal(vector.envelopeHex);
      });

      it('has the documented header: magic, version 2, count, entries in order, nonce', () => {
        let header = '5444' + '02' + u16(vector.wrappingKeys.length).slice(2);
        for (const name of vector.wrappingKeys) {
          const { fingerprintHex, wrappedKeyHex } = fixture.keys[name];
          header += fingerprintHex + u16(wrappedKeyHex.length / 2) + wrappedKeyHex;
        }
        header += vector.nonceHex;
        expect(vector.envelopeHex.startsWith(header)).to.equal(true);
        expect(envelope.length).to.equal(
          header.length / 2 + vector.bodyHex.length / 2 + DOC.tagLength,
        );
        expect(
          itemAadEncoder(schema)(parseEnvelope(envelope).header, item).toString('hex'),
        ).to.equal(vector.aadHex);
      });

      it('is plain AES-256-GCM over the sealed body with that AAD (independent check)', () => {
        const tagStart = envelope.length - DOC.tagLength;
        const bodyStart = tagStart - vector.bodyHex.length / 2;
        const decipher = createDecipheriv('aes-256-gcm', plaintextKey, nonce, {
          authTagLength: DOC.tagLength,
        });
        decipher.setAAD(Buffer.from(vector.aadHex, 'hex'));
        decipher.setAuthTag(envelope.subarray(tagStart));
        const body = Buffer.concat([
          decipher.update(envelope.subarray(bodyStart, tagStart)),
          decipher.final(),
        ]);
        expect(body.toString('hex')).to.equal(vector.bodyHex);
        expect(
          envelope
            .subarray(DOC.entriesOffset, DOC.entriesOffset + DOC.fingerprintLength)
            .toString('hex'),
        ).to.equal(fixture.keys[vector.wrappingKeys[0]].fingerprintHex);
      });

      for (const readerName of vector.openedBy) {
        it(`opens for a reader bound to ${readerName}, to the values with their exact types`, () => {
          const opened = readStored(reader(readerName, envelope), envelope, item, schema);
          expect(exactDifference(opened, values)).to.equal(undefined);
        });
      }
    });
  }

  describe('attack vectors', () => {
    for (const attack of fixture.attacks) {
      it(`${attack.name} fails with ${attack.code}: ${attack.description}`, () => {
        const vector = fixture.vectors.find((v) => v.name === attack.vector)!;
        const envelope = Buffer.from(attack.envelopeHex ?? vector.envelopeHex, 'hex');
        const item = (attack.item ?? vector.item) as StoredItem;
        const schema = fixture.schemas[attack.schema ?? vector.schema];
        if (attack.envelopeHex !== undefined) {
          expect(attack.envelopeHex, 'the attack changes the envelope').to.not.equal(
            vector.envelopeHex,
          );
        }
        expectEncryptionError(
          () => readStored(reader(attack.reader, envelope), envelope, item, schema),
          attack.code,
        );
        // The untouched vector opens for this reader when it is one of the vector's readers: the
        // failure is the attack's.
        if (vector.openedBy.includes(attack.reader)) {
          const original = Buffer.from(vector.envelopeHex, 'hex');
          const opened = readStored(
            reader(attack.reader, original),
            original,
            vector.item,
            fixture.schemas[vector.schema],
          );
          expect(opened.size).to.equal(GOLDEN_ITEM_VALUES[vector.name].size);
        }
      });
    }
  });
});
