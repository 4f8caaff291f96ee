import { expect } from 'chai';
import { itemAadEncoder } from '../../src/crypto/associated-data';
import { dataKeyMaterial } from '../../src/crypto/data-key';
import { parseEnvelope } from '../../src/crypto/envelope';
import { entryLength } from '../../src/crypto/envelope-layout';
import { openItem, sealItem } from '../../src/crypto/item-cipher';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import {
  KEY_ARN_A,
  KEY_ARN_B,
  MRK_ARN_EU,
  MRK_ARN_OTHER,
  MRK_ARN_US,
  USER_ITEM,
  USER_SCHEMA,
  USER_VALUES,
  additionalEntry,
  encryptionErrorOf,
  expectEncryptionError,
  expectNoLeak,
  randomMaterial,
  readStored,
  readerMaterial,
  sealFor,
  sealedBody,
} from './fixtures/crypto-fixtures';
import { exactDifference } from './fixtures/exact-equal';

describe('sealItem / openItem', () => {
  it('round-trips the item values with their exact types', () => {
    const key = randomMaterial();
    const opened = readStored(key, sealFor(key));
    expect(exactDifference(opened, USER_VALUES)).to.equal(undefined);
  });

  it('writes one entry per wrapping, the bound key first, and adds W + 80 bytes or less', () => {
    const extra = additionalEntry(KEY_ARN_B, 167);
    const key = randomMaterial(KEY_ARN_A, [extra]);
    const body = sealedBody(USER_VALUES);
    const bodyLength = body.length;
    const aadOf = itemAadEncoder(USER_SCHEMA);
    const stored = sealItem(key, body, (header) => aadOf(header, USER_ITEM));
    const parsed = parseEnvelope(stored);
    expect(parsed.entries.map((e) => e.fingerprint.toString('hex'))).to.deep.equal([
      keyFingerprint(KEY_ARN_A).toString('hex'),
      keyFingerprint(KEY_ARN_B).toString('hex'),
    ]);
    expect(parsed.entries[1].wrappedKey.equals(extra.wrappedKey)).to.equal(true);
    expect(parsed.ciphertext.length).to.equal(bodyLength);
    // 4 + entries + 12 + body + 16: the single-key overhead is W + 50, far under W + 80.
    const single = sealFor(randomMaterial());
    expect(single.length - bodyLength).to.equal(4 + entryLength(184) + 12 + 16);
    expect(stored.length - bodyLength).to.equal(4 + entryLength(184) + entryLength(167) + 12 + 16);
  });

  it('wipes the body it sealed', () => {
    const key = randomMaterial();
    const body = sealedBody(USER_VALUES);
    const aadOf = itemAadEncoder(USER_SCHEMA);
    sealItem(key, body, (header) => aadOf(header, USER_ITEM));
    expect(body.every((byte) => byte === 0)).to.equal(true);
  });

  it('uses a fresh nonce per seal: two seals of one item differ', () => {
    const key = randomMaterial();
    const a = parseEnvelope(sealFor(key));
    const b = parseEnvelope(sealFor(key));
    expect(a.nonce.equals(b.nonce)).to.equal(false);
  });

  it('seals an item with no encrypted value set: empty ciphertext, the tag still binds it', () => {
    const key = randomMaterial();
    const stored = sealFor(key, new Map());
    expect(parseEnvelope(stored).ciphertext.length).to.equal(0);
    expect(readStored(key, stored).size).to.equal(0);
    expectEncryptionError(
      () => readStored(key, stored, { ...USER_ITEM, ownerEmail: { S: 'eve@example.com' } }),
      'INTEGRITY',
    );
  });

  it('refuses to seal with a data key whose fingerprint is not its ARN (KEY_NOT_ALLOWED)', () => {
    const good = randomMaterial();
    const forged = {
      ...good,
      plaintextKey: good.plaintextKey,
      fingerprint: keyFingerprint(KEY_ARN_B),
    };
    const aadOf = itemAadEncoder(USER_SCHEMA);
    expectEncryptionError(
      () => sealItem(forged, sealedBody(USER_VALUES), (h) => aadOf(h, USER_ITEM)),
      'KEY_NOT_ALLOWED',
    );
  });

  it('fails with KEY_NOT_ALLOWED when no entry is the reader key, before opening', () => {
    const writer = randomMaterial(KEY_ARN_A);
    const stored = sealFor(writer);
    const reader = dataKeyMaterial(KEY_ARN_B, Buffer.from(writer.plaintextKey), writer.wrappedKey);
    expectEncryptionError(() => readStored(reader, stored), 'KEY_NOT_ALLOWED');
  });

  it('fails with INTEGRITY when the reader entry holds another wrapped key than the one supplied', () => {
    const writer = randomMaterial(KEY_ARN_A);
    const stored = sealFor(writer);
    const other = randomMaterial(KEY_ARN_A);
    expectEncryptionError(() => readStored(other, stored), 'INTEGRITY');
    // The right wrapped key with another plaintext key fails at the tag, also INTEGRITY.
    const wrongSecret = dataKeyMaterial(KEY_ARN_A, Buffer.alloc(32, 9), writer.wrappedKey);
    expectEncryptionError(() => readStored(wrongSecret, stored), 'INTEGRITY');
  });

  it('opens for a reader of any one entry (multi-key), each with its own wrapped key', () => {
    const extra = additionalEntry(KEY_ARN_B);
    const writer = randomMaterial(KEY_ARN_A, [extra]);
    const stored = sealFor(writer);
    expect(
      exactDifference(readStored(readerMaterial(writer, KEY_ARN_A), stored), USER_VALUES),
    ).to.equal(undefined);
    expect(
      exactDifference(readStored(readerMaterial(writer, KEY_ARN_B), stored), USER_VALUES),
    ).to.equal(undefined);
    // A reader of B who holds A's wrapped key is refused: each entry is its reader's own.
    expectEncryptionError(
      () => readStored(readerMaterial(writer, KEY_ARN_B, writer.wrappedKey), stored),
      'INTEGRITY',
    );
  });

  it('fails when an entry is dropped or the entries are reordered', () => {
    const writer = randomMaterial(KEY_ARN_A, [additionalEntry(KEY_ARN_B)]);
    const stored = sealFor(writer);
    const parsed = parseEnvelope(stored);
    const rebuilt = (entries: typeof parsed.entries): Buffer => {
      const parts: Buffer[] = [Buffer.from([0x54, 0x44, 2, entries.length])];
      for (const { fingerprint, wrappedKey } of entries) {
        const w = Buffer.alloc(2);
        w.writeUInt16BE(wrappedKey.length);
        parts.push(fingerprint, w, wrappedKey);
      }
      return Buffer.concat([...parts, parsed.nonce, parsed.ciphertext, parsed.tag]);
    };
    // The rebuilt envelope with both entries is the original: the harness is right.
    expect(rebuilt(parsed.entries).equals(stored)).to.equal(true);
    const readerA = readerMaterial(writer, KEY_ARN_A);
    const readerB = readerMaterial(writer, KEY_ARN_B);
    expectEncryptionError(() => readStored(readerA, rebuilt([parsed.entries[0]])), 'INTEGRITY');
    expectEncryptionError(() => readStored(readerB, rebuilt([parsed.entries[1]])), 'INTEGRITY');
    expectEncryptionError(
      () => readStored(readerA, rebuilt([parsed.entries[1]])),
      'KEY_NOT_ALLOWED',
    );
    expectEncryptionError(
      () => readStored(readerA, rebuilt([parsed.entries[1], parsed.entries[0]])),
      'INTEGRITY',
    );
  });

  it('opens with a multi-region replica of the writing key, and with nothing else', () => {
    const writer = randomMaterial(MRK_ARN_EU);
    const stored = sealFor(writer);
    expect(
      exactDifference(
        readStored(readerMaterial(writer, MRK_ARN_US, writer.wrappedKey), stored),
        USER_VALUES,
      ),
    ).to.equal(undefined);
    const other = dataKeyMaterial(
      MRK_ARN_OTHER,
      Buffer.from(writer.plaintextKey),
      writer.wrappedKey,
    );
    expectEncryptionError(() => readStored(other, stored), 'KEY_NOT_ALLOWED');
    // A single-region key whose ARN differs only by region is another key.
    const srk = randomMaterial(KEY_ARN_A);
    const srkStored = sealFor(srk);
    const otherRegion = KEY_ARN_A.replace('eu-west-1', 'us-east-1');
    expectEncryptionError(
      () =>
        readStored(
          dataKeyMaterial(otherRegion, Buffer.from(srk.plaintextKey), srk.wrappedKey),
          srkStored,
        ),
      'KEY_NOT_ALLOWED',
    );
  });

  it('fails with INTEGRITY when the envelope moves to another item, entity, table or binding', () => {
    const key = randomMaterial();
    const stored = sealFor(key);
    const moves = [
      () => readStored(key, stored, { ...USER_ITEM, pk: { S: 'USER#43' } }),
      () => readStored(key, stored, { ...USER_ITEM, sk: { S: 'OTHER' } }),
      () => readStored(key, stored, USER_ITEM, { ...USER_SCHEMA, entity: 'Admin' }),
      () => readStored(key, stored, USER_ITEM, { ...USER_SCHEMA, table: 'app-copy' }),
      () => readStored(key, stored, USER_ITEM, { ...USER_SCHEMA, envelope: '__td:payments' }),
      () => readStored(key, stored, { ...USER_ITEM, tier: { N: '9' } }),
      () => readStored(key, stored, { ...USER_ITEM, tier: { S: '3' } }),
    ];
    for (const move of moves) expectEncryptionError(move, 'INTEGRITY');
    const { ownerEmail: _deleted, ...withoutSigned } = USER_ITEM;
    expectEncryptionError(() => readStored(key, stored, withoutSigned), 'INTEGRITY');
  });

  it('accepts the forms DynamoDB returns a signed value in', () => {
    const key = randomMaterial();
    const stored = sealFor(key);
    expect(readStored(key, stored, { ...USER_ITEM, tier: { N: '3.0' } }).size).to.equal(2);
    expect(readStored(key, stored, { ...USER_ITEM, label: { S: 'unsigned edit' } }).size).to.equal(
      2,
    );
  });

  it('says nothing of the values, the data key or the envelope in its errors', () => {
    const key = randomMaterial();
    const stored = sealFor(key);
    const error = encryptionErrorOf(() =>
      readStored(key, stored, { ...USER_ITEM, pk: { S: 'x' } }),
    );
    expectNoLeak(error, [
      'ada.lovelace@example.com',
      '4111111111111111',
      key.plaintextKey.toString('hex'),
      stored.toString('hex'),
      stored.toString('base64'),
    ]);
  });

  it('openItem refuses a parsed envelope of another version', () => {
    const key = randomMaterial();
    const parsed = parseEnvelope(sealFor(key));
    expectEncryptionError(
      () => openItem(key, { ...parsed, version: 1 }, Buffer.alloc(0)),
      'MALFORMED_CIPHERTEXT',
    );
  });
});
