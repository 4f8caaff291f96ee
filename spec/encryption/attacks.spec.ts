import {
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  type EncryptionErrorCode,
  type Repository,
} from '../../src';
import {
  FINGERPRINT_LENGTH,
  FINGERPRINT_OFFSET,
  MAGIC_LENGTH,
  VERSION_OFFSET,
  WRAPPED_KEY_LENGTH_OFFSET,
  WRAPPED_KEY_OFFSET,
} from '../../src/crypto/envelope-layout';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import type { LocalKms } from '../../src/testing';
import { expectEncryptionError, expectErrorFreeOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Attacks on stored envelopes, made by editing raw items in DynamoDB Local and read back through
// repo.find. Every read must fail closed with a typed EncryptionError, never return a value.

const SECRET = 'attack-secret-0123456789-abcdefghij';
const PIN = 'attack-pin-9876543210';

const ACCOUNT_TABLE = uniqueTable('enc-attack');

@Entity({ table: ACCOUNT_TABLE, name: 'Account' })
class Account {
  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Attribute() label?: string;
  @Encrypted() secret?: string;
  @Encrypted() pin?: string;
  @Encrypted() @Attribute({ name: 'tok' }) token?: string;
}

/** The same entity name and shape on another table. */
@Entity({ table: uniqueTable('enc-attack-twin'), name: 'Account' })
class AccountTwin {
  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Attribute() label?: string;
  @Encrypted() secret?: string;
  @Encrypted() pin?: string;
  @Encrypted() @Attribute({ name: 'tok' }) token?: string;
}

/** Another entity with the same shape on the same table. */
@Entity({ table: ACCOUNT_TABLE, name: 'Ledger' })
class Ledger {
  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Attribute() label?: string;
  @Encrypted() secret?: string;
  @Encrypted() pin?: string;
}

type Key = { owner: string; slot: string };

const REJECTED_ENVELOPE: readonly EncryptionErrorCode[] = [
  'MALFORMED_CIPHERTEXT',
  'KEY_NOT_ALLOWED',
  'INTEGRITY',
];

describe('Attacks on stored envelopes, read through find (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  let raw: DynamoDBClient;
  let kms: LocalKms;
  let keyArn: string;
  let otherArn: string;
  let accounts: Repository<Account>;
  let twins: Repository<AccountTwin>;
  let ledgers: Repository<Ledger>;
  let attacker: Repository<Account>;

  async function getRaw(table: string, key: Key): Promise<Record<string, AttributeValue>> {
    const out = await raw.send(
      new GetItemCommand({
        TableName: table,
        Key: { owner: { S: key.owner }, slot: { S: key.slot } },
        ConsistentRead: true,
      }),
    );
    expect(out.Item, `raw item ${key.owner}/${key.slot}`).not.to.equal(undefined);
    return out.Item!;
  }

  async function putRaw(table: string, item: Record<string, AttributeValue>): Promise<void> {
    await raw.send(new PutItemCommand({ TableName: table, Item: item }));
  }

  /** Replaces one attribute of the stored item. */
  async function replace(key: Key, attribute: string, value: AttributeValue): Promise<void> {
    const item = await getRaw(ACCOUNT_TABLE, key);
    await putRaw(ACCOUNT_TABLE, { ...item, [attribute]: value });
  }

  async function saveAccount(key: Key, fields: Partial<Account> = {}): Promise<void> {
    await accounts.save(
      Object.assign(new Account(), key, { label: 'l', secret: SECRET, pin: PIN }, fields),
    );
  }

  /** The code the find failed with; fails the test if find returned anything. */
  async function rejection(
    key: Key,
    repo: Repository<Account> = accounts,
  ): Promise<EncryptionError> {
    let found: Account | undefined;
    try {
      found = await repo.find(key);
    } catch (error) {
      expect(error).to.be.instanceOf(EncryptionError);
      expectErrorFreeOf(error, [SECRET, PIN]);
      return error as EncryptionError;
    }
    return expect.fail(
      `find returned ${found === undefined ? 'undefined' : 'an entity'} instead of failing`,
    );
  }

  before(async () => {
    const dynamo = await sharedDynamo();
    raw = dynamo.client;
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-attack-key')}` });
    otherArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-attack-other')}` });
    const setup = new TheoryDb({ dynamodb: raw });
    await setup.createTable(Account);
    await setup.createTable(AccountTwin);
    const db = new TheoryDb({ dynamodb: raw, kms: { client: kms.client(), keyId: keyArn } });
    accounts = db.repository(Account);
    twins = db.repository(AccountTwin);
    ledgers = db.repository(Ledger);
    attacker = new TheoryDb({
      dynamodb: raw,
      kms: { client: kms.client(), keyId: otherArn },
    }).repository(Account);
  });

  afterEach(() => kms.clearFaults());

  it('control: an untouched item reads back', async () => {
    await saveAccount({ owner: 'control', slot: 's' });
    const found = await accounts.get({ owner: 'control', slot: 's' });
    expect([found.secret, found.pin]).to.deep.equal([SECRET, PIN]);
  });

  describe('a bit flip at every byte of one envelope', () => {
    it('rejects every flipped envelope, with the KMS call only where the header is intact', async () => {
      const key = { owner: 'flip', slot: 's' };
      await saveAccount(key, { pin: undefined });
      const original = await getRaw(ACCOUNT_TABLE, key);
      const envelope = Buffer.from(original.secret.B!);
      const wrappedLength = envelope.readUInt16BE(WRAPPED_KEY_LENGTH_OFFSET);
      expect(envelope.length).to.be.greaterThan(100);
      const codes = new Map<string, number>();
      for (let i = 0; i < envelope.length; i += 1) {
        const flipped = Buffer.from(envelope);
        flipped[i] ^= 1 << (i % 8);
        await putRaw(ACCOUNT_TABLE, { ...original, secret: { B: flipped } });
        kms.resetCalls();
        const error = await rejection(key);
        const where = `byte ${i} of ${envelope.length}`;
        if (i < MAGIC_LENGTH) {
          // Without its magic the value is not an envelope at all (the table's "B without the
          // magic" row); still refused, before any KMS call.
          expect(error.code, where).to.equal('PLAINTEXT_IN_ENCRYPTED_FIELD');
        } else {
          expect(REJECTED_ENVELOPE, `${where}: ${error.code}`).to.include(error.code);
        }
        if (i === VERSION_OFFSET) expect(error.code, where).to.equal('MALFORMED_CIPHERTEXT');
        if (i >= FINGERPRINT_OFFSET && i < FINGERPRINT_OFFSET + FINGERPRINT_LENGTH) {
          expect(error.code, where).to.equal('KEY_NOT_ALLOWED');
        }
        if (i < WRAPPED_KEY_LENGTH_OFFSET) expect(kms.calls('Decrypt'), where).to.equal(0);
        if (i >= WRAPPED_KEY_OFFSET + wrappedLength) {
          // The wrapped key is intact: KMS unwraps it and AES-GCM rejects the value.
          expect(error.code, where).to.equal('INTEGRITY');
          expect(kms.calls('Decrypt'), where).to.equal(1);
        }
        expect(error.entity, where).to.equal('Account');
        expect(error.field, where).to.equal('secret');
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
      expect([...codes.values()].reduce((a, b) => a + b, 0)).to.equal(envelope.length);
      // Restored, it reads again: every failure above was the flip.
      await putRaw(ACCOUNT_TABLE, original);
      expect((await accounts.get(key)).secret).to.equal(SECRET);
    });
  });

  describe('truncation and extension', () => {
    let key: Key;
    let original: Record<string, AttributeValue>;
    let envelope: Buffer;

    before(async () => {
      key = { owner: 'truncate', slot: 's' };
      await saveAccount(key);
      original = await getRaw(ACCOUNT_TABLE, key);
      envelope = Buffer.from(original.secret.B!);
    });

    it('truncated at many lengths: MALFORMED_CIPHERTEXT or INTEGRITY', async () => {
      const wrapped = envelope.readUInt16BE(WRAPPED_KEY_LENGTH_OFFSET);
      const lengths = [
        2,
        3,
        FINGERPRINT_OFFSET + 8,
        WRAPPED_KEY_OFFSET,
        WRAPPED_KEY_OFFSET + 10,
        WRAPPED_KEY_OFFSET + wrapped,
        WRAPPED_KEY_OFFSET + wrapped + 12,
        WRAPPED_KEY_OFFSET + wrapped + 12 + 16,
        WRAPPED_KEY_OFFSET + wrapped + 12 + 17,
        envelope.length - 16,
        envelope.length - 8,
        envelope.length - 1,
      ];
      for (const length of lengths) {
        await putRaw(ACCOUNT_TABLE, { ...original, secret: { B: envelope.subarray(0, length) } });
        const error = await rejection(key);
        expect(['MALFORMED_CIPHERTEXT', 'INTEGRITY'], `length ${length}`).to.include(error.code);
        if (length <= WRAPPED_KEY_OFFSET + wrapped + 12 + 16) {
          expect(error.code, `length ${length}`).to.equal('MALFORMED_CIPHERTEXT');
        }
      }
    });

    it('extended by 1 and by 16 bytes: INTEGRITY (trailing bytes shift the tag)', async () => {
      for (const extra of [1, 16]) {
        const longer = Buffer.concat([envelope, Buffer.alloc(extra, 0xa5)]);
        await putRaw(ACCOUNT_TABLE, { ...original, secret: { B: longer } });
        const error = await rejection(key);
        expect(['MALFORMED_CIPHERTEXT', 'INTEGRITY'], `+${extra}`).to.include(error.code);
      }
    });

    after(async () => {
      await putRaw(ACCOUNT_TABLE, original);
    });
  });

  describe('values moved to where they do not belong', () => {
    it('swapped between two encrypted attributes of the same item', async () => {
      const key = { owner: 'swap-attr', slot: 's' };
      await saveAccount(key);
      const item = await getRaw(ACCOUNT_TABLE, key);
      await putRaw(ACCOUNT_TABLE, { ...item, secret: item.pin, pin: item.secret });
      expect((await rejection(key)).code).to.equal('INTEGRITY');
    });

    it('moved between items with different partition keys', async () => {
      const victim = { owner: 'victim-a', slot: 's' };
      const donor = { owner: 'donor-b', slot: 's' };
      await saveAccount(victim);
      await saveAccount(donor, { secret: 'donor-secret-value' });
      await replace(victim, 'secret', (await getRaw(ACCOUNT_TABLE, donor)).secret);
      const error = await rejection(victim);
      expect([error.code, error.field]).to.deep.equal(['INTEGRITY', 'secret']);
    });

    it('moved between items with the same partition key and different sort keys', async () => {
      const victim = { owner: 'same-pk', slot: 'one' };
      const donor = { owner: 'same-pk', slot: 'two' };
      await saveAccount(victim);
      await saveAccount(donor, { secret: 'donor-secret-value' });
      await replace(victim, 'secret', (await getRaw(ACCOUNT_TABLE, donor)).secret);
      expect((await rejection(victim)).code).to.equal('INTEGRITY');
    });

    it('the whole item copied to another key (every encrypted value is bound to its key)', async () => {
      const source = { owner: 'copy-src', slot: 's' };
      await saveAccount(source);
      const item = await getRaw(ACCOUNT_TABLE, source);
      await putRaw(ACCOUNT_TABLE, { ...item, owner: { S: 'copy-dst' } });
      expect((await rejection({ owner: 'copy-dst', slot: 's' })).code).to.equal('INTEGRITY');
    });

    it('moved between tables (same entity name and shape on another table)', async () => {
      const key = { owner: 'cross-table', slot: 's' };
      await saveAccount(key);
      await twins.save(
        Object.assign(new AccountTwin(), key, { secret: 'twin-secret-value', pin: PIN }),
      );
      const twin = await getRaw(twins.metadata.table, key);
      await replace(key, 'secret', twin.secret);
      expect((await rejection(key)).code).to.equal('INTEGRITY');
      // And the other way round.
      const mine = await getRaw(ACCOUNT_TABLE, { owner: 'control', slot: 's' });
      await putRaw(twins.metadata.table, { ...twin, pin: mine.pin });
      await expectEncryptionError(twins.find(key), { code: 'INTEGRITY', secrets: [SECRET, PIN] });
    });

    it('moved between two entities sharing a table (the entity name is bound in)', async () => {
      const key = { owner: 'cross-entity', slot: 's' };
      await ledgers.save(Object.assign(new Ledger(), key, { secret: 'ledger-secret-value' }));
      const ledgerItem = await getRaw(ACCOUNT_TABLE, key);
      // Same table, same key, same attribute: only the entity name differs.
      kms.resetCalls();
      const error = await rejection(key);
      expect(error.code).to.equal('INTEGRITY');
      expect(kms.calls('Decrypt')).to.equal(1);
      await putRaw(ACCOUNT_TABLE, ledgerItem);
      expect((await ledgers.get(key)).secret).to.equal('ledger-secret-value');
    });

    it('an envelope whose fingerprint names another existing key: KEY_NOT_ALLOWED before KMS', async () => {
      const key = { owner: 'fp-swap', slot: 's' };
      await saveAccount(key);
      const item = await getRaw(ACCOUNT_TABLE, key);
      const bytes = Buffer.from(item.secret.B!);
      keyFingerprint(otherArn).copy(bytes, FINGERPRINT_OFFSET);
      await putRaw(ACCOUNT_TABLE, { ...item, secret: { B: bytes } });
      kms.resetCalls();
      const error = await rejection(key);
      expect([error.code, error.keyArn]).to.deep.equal(['KEY_NOT_ALLOWED', keyArn]);
      expect(kms.calls('Decrypt')).to.equal(0);
    });

    it('a wrapped key planted from another KMS key under our fingerprint: refused by KeyId pinning', async () => {
      const key = { owner: 'planted', slot: 's' };
      await attacker.save(Object.assign(new Account(), key, { secret: 'attacker-chosen-value' }));
      const item = await getRaw(ACCOUNT_TABLE, key);
      const bytes = Buffer.from(item.secret.B!);
      keyFingerprint(keyArn).copy(bytes, FINGERPRINT_OFFSET);
      await putRaw(ACCOUNT_TABLE, { ...item, secret: { B: bytes } });
      kms.resetCalls();
      const error = await rejection(key);
      // KMS refuses to unwrap a blob of another key when KeyId is pinned (IncorrectKeyException).
      expect(error.code).to.equal('KEY_NOT_ALLOWED');
      expect(kms.calls('Decrypt')).to.equal(1);
    });
  });

  describe('plaintext injected into an encrypted attribute', () => {
    const injected: [string, AttributeValue][] = [
      ['S', { S: SECRET }],
      ['empty S', { S: '' }],
      ['N', { N: '1234' }],
      ['M', { M: { value: { S: SECRET } } }],
      ['L', { L: [{ S: SECRET }] }],
      ['BOOL', { BOOL: true }],
      ['NULL', { NULL: true }],
      ['SS', { SS: [SECRET] }],
      ['B without the magic', { B: Buffer.from(SECRET, 'utf8') }],
      ['B of one byte', { B: Buffer.from([0x54]) }],
    ];
    for (const [what, value] of injected) {
      it(`${what}: PLAINTEXT_IN_ENCRYPTED_FIELD before any KMS call`, async () => {
        const key = { owner: `inject-${what}`, slot: 's' };
        await saveAccount(key);
        await replace(key, 'secret', value);
        kms.resetCalls();
        const error = await rejection(key);
        expect([error.code, error.entity, error.field]).to.deep.equal([
          'PLAINTEXT_IN_ENCRYPTED_FIELD',
          'Account',
          'secret',
        ]);
        expect(kms.calls()).to.equal(0);
      });
    }
  });

  describe('one failing field fails the whole read', () => {
    it('a tampered second field: find rejects, no partial entity', async () => {
      const key = { owner: 'partial', slot: 's' };
      await saveAccount(key);
      const item = await getRaw(ACCOUNT_TABLE, key);
      const pin = Buffer.from(item.pin.B!);
      pin[pin.length - 1] ^= 0x80;
      await putRaw(ACCOUNT_TABLE, { ...item, pin: { B: pin } });
      const error = await rejection(key);
      expect([error.code, error.field]).to.deep.equal(['INTEGRITY', 'pin']);
      await expectEncryptionError(accounts.get(key), { code: 'INTEGRITY', field: 'pin' });
    });

    it('plaintext in the second field: find rejects, no partial entity', async () => {
      const key = { owner: 'partial-plain', slot: 's' };
      await saveAccount(key);
      await replace(key, 'pin', { S: PIN });
      const error = await rejection(key);
      expect([error.code, error.field]).to.deep.equal(['PLAINTEXT_IN_ENCRYPTED_FIELD', 'pin']);
    });

    it('other items stay readable', async () => {
      expect((await accounts.get({ owner: 'control', slot: 's' })).secret).to.equal(SECRET);
    });
  });

  describe('errors name the property, not the stored attribute name', () => {
    it('a tampered renamed attribute (@Attribute({ name: "tok" }) token) reports field "token"', async () => {
      const key = { owner: 'renamed', slot: 's' };
      await saveAccount(key, { token: 'renamed-token-value' });
      const item = await getRaw(ACCOUNT_TABLE, key);
      expect(item.token).to.equal(undefined);
      const tok = Buffer.from(item.tok.B!);
      tok[tok.length - 1] ^= 0x01;
      await putRaw(ACCOUNT_TABLE, { ...item, tok: { B: tok } });
      const error = await rejection(key);
      expect(error.code).to.equal('INTEGRITY');
      expect(error.field).to.equal('token');
    });

    it('a malformed renamed attribute reports field "token"', async () => {
      const key = { owner: 'renamed-malformed', slot: 's' };
      await saveAccount(key, { token: 'renamed-token-value' });
      await replace(key, 'tok', { B: Buffer.from([0x54, 0x44, 0x09, 0, 0, 0]) });
      const error = await rejection(key);
      expect([error.code, error.field]).to.deep.equal(['MALFORMED_CIPHERTEXT', 'token']);
    });
  });
});
