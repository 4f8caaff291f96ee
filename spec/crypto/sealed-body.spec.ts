import { expect } from 'chai';
import { encodePlaintext } from '../../src/crypto/plaintext-codec';
import {
  MAX_SEALED_NAME_BYTES,
  decodeSealedBody,
  encodeSealedBody,
} from '../../src/crypto/sealed-body';
import { expectEncryptionError } from './fixtures/crypto-fixtures';
import { exactDifference } from './fixtures/exact-equal';
import { GOLDEN_VALUES } from './fixtures/golden-values';

describe('sealed body', () => {
  it('is each field as a one-byte name length, the UTF-8 name, then its typed plaintext', () => {
    const body = encodeSealedBody([
      { attribute: 'a', plaintext: encodePlaintext(true) },
      { attribute: 'né', plaintext: encodePlaintext('x') },
    ]);
    expect(body.toString('hex')).to.equal(
      '01' + '61' + '03' + '03' + '6ec3a9' + '06' + '00000001' + '78',
    );
  });

  it('is empty when no field is set', () => {
    expect(encodeSealedBody([]).length).to.equal(0);
    expect(decodeSealedBody(Buffer.alloc(0)).size).to.equal(0);
  });

  it('round-trips every golden value with its exact type, in order', () => {
    const names = Object.keys(GOLDEN_VALUES);
    const body = encodeSealedBody(
      names.map((attribute) => ({
        attribute,
        plaintext: encodePlaintext(GOLDEN_VALUES[attribute]),
      })),
    );
    const decoded = decodeSealedBody(body);
    expect([...decoded.keys()]).to.deep.equal(names);
    for (const name of names) {
      expect(exactDifference(decoded.get(name), GOLDEN_VALUES[name]), name).to.equal(undefined);
    }
  });

  it('accepts a 255-byte name (the most one length byte can say)', () => {
    const name = 'n'.repeat(MAX_SEALED_NAME_BYTES);
    const body = encodeSealedBody([{ attribute: name, plaintext: encodePlaintext(1) }]);
    expect(body[0]).to.equal(255);
    expect(decodeSealedBody(body).get(name)).to.equal(1);
  });

  it('wipes the plaintexts it was given', () => {
    const plaintext = encodePlaintext('secret');
    encodeSealedBody([{ attribute: 's', plaintext }]);
    expect(plaintext.every((byte) => byte === 0)).to.equal(true);
  });

  it('refuses a body that names an attribute twice', () => {
    const body = Buffer.concat([
      encodeSealedBody([{ attribute: 'a', plaintext: encodePlaintext(1) }]),
      encodeSealedBody([{ attribute: 'a', plaintext: encodePlaintext(2) }]),
    ]);
    expectEncryptionError(() => decodeSealedBody(body), 'MALFORMED_CIPHERTEXT');
  });

  it('refuses truncation at every offset but the field boundaries', () => {
    const fields = [
      { attribute: 'email', value: 'ada@example.com' },
      { attribute: 'card', value: { number: '4111', when: new Date(0), tags: new Set(['x']) } },
    ];
    const body = encodeSealedBody(
      fields.map(({ attribute, value }) => ({ attribute, plaintext: encodePlaintext(value) })),
    );
    const boundary = 1 + 5 + encodePlaintext(fields[0].value).length;
    for (let length = 1; length < body.length; length += 1) {
      const cut = body.subarray(0, length);
      if (length === boundary) {
        expect([...decodeSealedBody(cut).keys()]).to.deep.equal(['email']);
      } else {
        expectEncryptionError(() => decodeSealedBody(cut), 'MALFORMED_CIPHERTEXT');
      }
    }
  });

  it('refuses an unknown type tag and a zero byte where a value starts', () => {
    expectEncryptionError(
      () => decodeSealedBody(Buffer.from([1, 0x61, 0x00])),
      'MALFORMED_CIPHERTEXT',
    );
    expectEncryptionError(
      () => decodeSealedBody(Buffer.from([1, 0x61, 0xff])),
      'MALFORMED_CIPHERTEXT',
    );
    // A name with no value at all.
    expectEncryptionError(() => decodeSealedBody(Buffer.from([1, 0x61])), 'MALFORMED_CIPHERTEXT');
  });
});
