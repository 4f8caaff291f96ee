import {
  CreateTableCommand,
  DeleteItemCommand,
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
  Index,
  PartitionKey,
  Signed,
  SortKey,
  TheoryDb,
  Version,
  entityMetadata,
  type EncryptionErrorCode,
  type Repository,
} from '../../src';
import {
  ENTRIES_OFFSET,
  ENTRY_COUNT_OFFSET,
  FINGERPRINT_LENGTH,
  MAGIC_LENGTH,
  VERSION_OFFSET,
  WRAPPED_KEY_LENGTH_SIZE,
} from '../../src/crypto/envelope-layout';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import type { LocalKms } from '../../src/testing';
import { expectErrorFreeOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Attacks on stored items by someone with write access to the table and none to KMS, made by
// editing raw items in DynamoDB Local. Every read surface must fail closed with a typed
// EncryptionError and return no value.

const SECRET = 'attack-secret-0123456789-abcdefghij';
const PIN = 'attack-pin-9876543210';
const OWNER = 'victim@example.com';
const ACCOUNT_TABLE = uniqueTable('enc-attack');

@Entity({ table: ACCOUNT_TABLE, name: 'Account' })
class Account {
  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Attribute() label?: string;
  @Signed() ownerEmail?: string;
  @Signed() @Attribute({ name: 'lim' }) limit?: number;
  @Encrypted() secret?: string;
  @Encrypted() pin?: string;
}

/** The same entity name and shape on another table. */
@Entity({ table: uniqueTable('enc-attack-twin'), name: 'Account' })
class AccountTwin {
  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Attribute() label?: string;
  @Signed() ownerEmail?: string;
  @Signed() @Attribute({ name: 'lim' }) limit?: number;
  @Encrypted() secret?: string;
  @Encrypted() pin?: string;
}

/** Another entity with the same shape on the same table. */
@Entity({ table: ACCOUNT_TABLE, name: 'Ledger' })
class Ledger {
  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Attribute() label?: string;
  @Signed() ownerEmail?: string;
  @Signed() @Attribute({ name: 'lim' }) limit?: number;
  @Encrypted() secret?: string;
  @Encrypted() pin?: string;
}

/** A versioned entity whose version is signed: an older envelope cannot be replayed alone. */
@Entity({ table: uniqueTable('enc-attack-versioned'), name: 'Safe' })
class Safe {
  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Signed() @Version() version?: number;
  @Encrypted() secret?: string;
}

type Key = { owner: string; slot: string };
type Item = Record<string, AttributeValue>;

const REJECTED: readonly EncryptionErrorCode[] = [
  'MALFORMED_CIPHERTEXT',
  'KEY_NOT_ALLOWED',
  'INTEGRITY',
];

describe('Attacks on stored items, on every read surface (DynamoDB Local + LocalKms)', function () {
  this.timeout(120_000);

  let raw: DynamoDBClient;
  let kms: LocalKms;
  let db: TheoryDb;
  let keyArn: string;
  let otherArn: string;
  let accounts: Repository<Account>;

  const rawKey = (key: Key) => ({ owner: { S: key.owner }, slot: { S: key.slot } });

  async function getRaw(table: string, key: Key): Promise<Item> {
    const out = await raw.send(
      new GetItemCommand({ TableName: table, Key: rawKey(key), ConsistentRead: true }),
    );
    expect(out.Item, `raw item ${key.owner}/${key.slot}`).not.to.equal(undefined);
    return out.Item!;
  }

  async function putRaw(table: string, item: Item): Promise<void> {
    await raw.send(new PutItemCommand({ TableName: table, Item: item }));
  }

  async function saveAccount(key: Key, fields: Partial<Account> = {}): Promise<Item> {
    await accounts.save(
      Object.assign(
        new Account(),
        key,
        { label: 'l', ownerEmail: OWNER, limit: 100, secret: SECRET, pin: PIN },
        fields,
      ),
    );
    return getRaw(ACCOUNT_TABLE, key);
  }

  /**
   * Reads the item through every read surface and returns the code each failed with. Fails the
   * test if any surface returns a value, or fails with anything but an EncryptionError.
   */
  async function rejections(key: Key, item: Item): Promise<EncryptionErrorCode[]> {
    const surfaces: [string, () => Promise<unknown>][] = [
      ['get', () => accounts.get(key)],
      ['find', () => accounts.find(key)],
      [
        'query',
        () =>
          accounts
            .query({ owner: key.owner })
            .sortKey((k) => k.eq(key.slot))
            .all(),
      ],
      [
        'scan',
        () =>
          accounts
            .scan()
            .filter((c) => c.eq('owner', key.owner))
            .all(),
      ],
      ['batchFind', () => accounts.batchFind([key])],
      ['transactFind', () => db.transactFind([[Account, key]] as const)],
      ['fromStreamImage', () => accounts.fromStreamImage(item)],
    ];
    const codes: EncryptionErrorCode[] = [];
    for (const [surface, read] of surfaces) {
      let returned: unknown;
      try {
        returned = await read();
      } catch (error) {
        expect(error, surface).to.be.instanceOf(EncryptionError);
        expectErrorFreeOf(error, [SECRET, PIN]);
        codes.push((error as EncryptionError).code);
        continue;
      }
      expect.fail(`${surface} returned ${JSON.stringify(returned)} instead of failing`);
    }
    return codes;
  }

  /** Stores `item` and checks that every surface refuses it with one of `codes`. */
  async function expectRefused(
    key: Key,
    item: Item,
    codes: readonly EncryptionErrorCode[] = REJECTED,
  ): Promise<EncryptionErrorCode[]> {
    await putRaw(ACCOUNT_TABLE, item);
    const seen = await rejections(key, item);
    for (const code of seen) expect(codes, `${code}`).to.include(code);
    return seen;
  }

  before(async () => {
    const dynamo = await sharedDynamo();
    raw = dynamo.client;
    kms = await sharedKms();
    keyArn = await kms.createKey();
    otherArn = await kms.createKey();
    db = new TheoryDb({ dynamodb: raw, kms: { client: kms.client(), keyId: keyArn } });
    for (const target of [Account, AccountTwin, Safe]) await db.createTable(target);
    accounts = db.repository(Account);
  });

  afterEach(() => kms.clearFaults());

  it('control: an untouched item reads back on every surface', async () => {
    const key = { owner: 'control', slot: 's' };
    const item = await saveAccount(key);
    expect(Object.keys(item).sort()).to.deep.equal(
      ['__td', 'label', 'lim', 'owner', 'ownerEmail', 'slot'],
      'the encrypted attributes are not stored by name',
    );
    const found = await accounts.get(key);
    expect([found.secret, found.pin, found.ownerEmail, found.limit]).to.deep.equal([
      SECRET,
      PIN,
      OWNER,
      100,
    ]);
    expect((await accounts.fromStreamImage(item)).secret).to.equal(SECRET);
    expect((await db.transactFind([[Account, key]] as const))[0]?.pin).to.equal(PIN);
  });

  describe('signed attributes', () => {
    const key = { owner: 'signed', slot: 's' };
    let original: Item;
    before(async () => {
      original = await saveAccount(key);
    });
    after(() => putRaw(ACCOUNT_TABLE, original));

    it('a changed signed attribute (the index key an attacker points at himself): INTEGRITY', async () => {
      const codes = await expectRefused(
        key,
        { ...original, ownerEmail: { S: 'attacker@example.com' } },
        ['INTEGRITY'],
      );
      expect(codes).to.have.length(7);
    });
    it('a deleted signed attribute: INTEGRITY', async () => {
      const { ownerEmail: _dropped, ...rest } = original;
      await expectRefused(key, rest, ['INTEGRITY']);
    });
    it('a retyped signed attribute (N 100 stored as S "100"): INTEGRITY', async () => {
      await expectRefused(key, { ...original, lim: { S: '100' } }, ['INTEGRITY']);
    });
    it('a signed number in another normal form (100.0) still reads: DynamoDB normalises numbers', async () => {
      await putRaw(ACCOUNT_TABLE, { ...original, lim: { N: '100.0' } });
      expect((await accounts.get(key)).limit).to.equal(100);
    });
    it('a changed unsigned attribute is not authenticated (documented): it reads', async () => {
      await putRaw(ACCOUNT_TABLE, { ...original, label: { S: 'edited' } });
      const found = await accounts.get(key);
      expect([found.label, found.secret]).to.deep.equal(['edited', SECRET]);
    });
  });

  describe('the envelope', () => {
    const key = { owner: 'envelope', slot: 's' };
    let original: Item;
    let envelope: Buffer;
    before(async () => {
      original = await saveAccount(key);
      envelope = Buffer.from(original.__td.B!);
    });
    after(() => putRaw(ACCOUNT_TABLE, original));

    it('deleted: INTEGRITY, never "encrypted fields undefined"', async () => {
      const { __td: _dropped, ...rest } = original;
      await expectRefused(key, rest, ['INTEGRITY']);
    });
    it('deleted from an item with no encrypted value set: still INTEGRITY', async () => {
      const bare = { owner: 'envelope-bare', slot: 's' };
      const item = await saveAccount(bare, { secret: undefined, pin: undefined });
      expect(item.__td?.B).to.be.instanceOf(Uint8Array);
      const { __td: _dropped, ...rest } = item;
      await putRaw(ACCOUNT_TABLE, rest);
      const seen = await rejections(bare, rest);
      expect(new Set(seen)).to.deep.equal(new Set(['INTEGRITY']));
    });
    it('stored as a string, or as bytes without the magic: MALFORMED_CIPHERTEXT', async () => {
      await expectRefused(key, { ...original, __td: { S: envelope.toString('base64') } }, [
        'MALFORMED_CIPHERTEXT',
      ]);
      await expectRefused(key, { ...original, __td: { B: envelope.subarray(MAGIC_LENGTH) } }, [
        'MALFORMED_CIPHERTEXT',
      ]);
    });
    it('a plaintext value planted under an encrypted attribute name: PLAINTEXT_IN_ENCRYPTED_FIELD', async () => {
      await expectRefused(key, { ...original, secret: { S: 'planted' } }, [
        'PLAINTEXT_IN_ENCRYPTED_FIELD',
      ]);
    });

    it('a bit flipped at every byte: refused, with Decrypt only where the entry is intact', async () => {
      const wrappedLength = envelope.readUInt16BE(ENTRIES_OFFSET + FINGERPRINT_LENGTH);
      const wrappedStart = ENTRIES_OFFSET + FINGERPRINT_LENGTH + WRAPPED_KEY_LENGTH_SIZE;
      // Past the wrapped key the entry is intact: KMS unwraps it and AES-GCM rejects the item.
      for (let i = 0; i < envelope.length; i += 1) {
        const flipped = Buffer.from(envelope);
        flipped[i] ^= 1 << (i % 8);
        await putRaw(ACCOUNT_TABLE, { ...original, __td: { B: flipped } });
        kms.resetCalls();
        let error: unknown;
        try {
          await accounts.find(key);
        } catch (caught) {
          error = caught;
        }
        const where = `byte ${i} of ${envelope.length}`;
        expect(error, where).to.be.instanceOf(EncryptionError);
        const code = (error as EncryptionError).code;
        expect(REJECTED, `${where}: ${code}`).to.include(code);
        if (i < MAGIC_LENGTH || i === VERSION_OFFSET || i === ENTRY_COUNT_OFFSET) {
          expect(code, where).to.equal('MALFORMED_CIPHERTEXT');
        }
        if (i >= ENTRIES_OFFSET && i < ENTRIES_OFFSET + FINGERPRINT_LENGTH) {
          expect(code, where).to.equal('KEY_NOT_ALLOWED');
        }
        if (i < ENTRIES_OFFSET + FINGERPRINT_LENGTH) {
          expect(kms.calls('Decrypt'), where).to.equal(0);
        }
        if (i >= wrappedStart + wrappedLength) {
          expect(code, where).to.equal('INTEGRITY');
          expect(kms.calls('Decrypt'), where).to.equal(1);
        }
      }
      await putRaw(ACCOUNT_TABLE, original);
      expect((await accounts.find(key))?.secret).to.equal(SECRET);
    });

    it('truncated at every length and extended: refused on every surface', async () => {
      for (const length of [
        0,
        2,
        3,
        4,
        20,
        40,
        envelope.length - 17,
        envelope.length - 16,
        envelope.length - 1,
      ]) {
        await expectRefused(key, { ...original, __td: { B: envelope.subarray(0, length) } });
      }
      await expectRefused(key, {
        ...original,
        __td: { B: Buffer.concat([envelope, Buffer.alloc(16, 0xa5)]) },
      });
    });

    it('an entry naming another existing key: KEY_NOT_ALLOWED with no Decrypt', async () => {
      const forged = Buffer.from(envelope);
      keyFingerprint(otherArn).copy(forged, ENTRIES_OFFSET);
      kms.resetCalls();
      await expectRefused(key, { ...original, __td: { B: forged } }, ['KEY_NOT_ALLOWED']);
      expect(kms.calls('Decrypt')).to.equal(0);
    });
  });

  describe('envelopes moved to where they do not belong', () => {
    it('between items with different partition keys, and with different sort keys', async () => {
      const a = await saveAccount({ owner: 'move-a', slot: 's' });
      const b = await saveAccount({ owner: 'move-b', slot: 's' }, { secret: 'other-secret' });
      const c = await saveAccount({ owner: 'move-a', slot: 't' }, { secret: 'third-secret' });
      await expectRefused({ owner: 'move-a', slot: 's' }, { ...a, __td: b.__td }, ['INTEGRITY']);
      await expectRefused({ owner: 'move-a', slot: 's' }, { ...a, __td: c.__td }, ['INTEGRITY']);
    });
    it('the whole item copied to another key', async () => {
      const a = await saveAccount({ owner: 'copy-a', slot: 's' });
      const target = { owner: 'copy-b', slot: 's' };
      await expectRefused(target, { ...a, owner: { S: 'copy-b' } }, ['INTEGRITY']);
    });
    it('between tables (same entity name and shape) and between entities sharing a table', async () => {
      const key = { owner: 'twin', slot: 's' };
      const twins = db.repository(AccountTwin);
      await twins.save(
        Object.assign(new AccountTwin(), key, {
          label: 'l',
          ownerEmail: OWNER,
          limit: 100,
          secret: 'twin-secret',
        }),
      );
      const twin = await getRaw(entityMetadataTable(AccountTwin), key);
      const mine = await saveAccount(key);
      await expectRefused(key, { ...mine, __td: twin.__td }, ['INTEGRITY']);
      const ledgerKey = { owner: 'ledger', slot: 's' };
      await db.repository(Ledger).save(
        Object.assign(new Ledger(), ledgerKey, {
          label: 'l',
          ownerEmail: OWNER,
          limit: 100,
          secret: 'ledger-secret',
        }),
      );
      const ledger = await getRaw(ACCOUNT_TABLE, ledgerKey);
      const victim = await saveAccount({ owner: 'ledger', slot: 't' });
      const moved = { ...victim, __td: ledger.__td };
      await expectRefused({ owner: 'ledger', slot: 't' }, moved, ['INTEGRITY']);
    });
  });

  describe('projections and indexes', () => {
    const key = { owner: 'projection', slot: 's' };
    let original: Item;
    before(async () => {
      original = await saveAccount(key);
    });
    after(() => putRaw(ACCOUNT_TABLE, original));

    it('a projection of an encrypted or signed property fetches and checks the envelope', async () => {
      const query = () => accounts.query({ owner: key.owner });
      const [secret] = await query().select('secret').all();
      expect({ ...secret }).to.deep.equal({ secret: SECRET });
      await putRaw(ACCOUNT_TABLE, { ...original, ownerEmail: { S: 'attacker@example.com' } });
      for (const property of ['secret', 'ownerEmail', 'limit'] as const) {
        const error = await query()
          .select(property)
          .all()
          .catch((e: unknown) => e);
        expect(error, property).to.be.instanceOf(EncryptionError);
        expect((error as EncryptionError).code, property).to.equal('INTEGRITY');
      }
      // Plain, unsigned properties are authenticated by no read: the projection reads them as is.
      const [label] = await query().select('label').all();
      expect({ ...label }).to.deep.equal({ label: 'l' });
    });

    it('an index that does not project the envelope: refused before anything is returned', async () => {
      const table = uniqueTable('enc-attack-keys-only');
      await raw.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'owner', AttributeType: 'S' },
            { AttributeName: 'slot', AttributeType: 'S' },
            { AttributeName: 'ownerEmail', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'owner', KeyType: 'HASH' },
            { AttributeName: 'slot', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byEmail',
              KeySchema: [{ AttributeName: 'ownerEmail', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            },
          ],
        }),
      );
      @Entity({ table, name: 'Indexed' })
      class Indexed {
        @PartitionKey() owner!: string;
        @SortKey() slot!: string;
        @Signed() @Index('byEmail', { partition: true }) ownerEmail!: string;
        @Encrypted() secret?: string;
      }
      const repo = db.repository(Indexed);
      await repo.save(Object.assign(new Indexed(), { ...key, ownerEmail: OWNER, secret: SECRET }));
      const error = await repo
        .query({ ownerEmail: OWNER })
        .index('byEmail')
        .all()
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(EncryptionError);
      expect((error as EncryptionError).code).to.equal('INTEGRITY');
      expect((error as Error).message).to.match(/index that does not project it/);
      expectErrorFreeOf(error, [SECRET]);
    });
  });

  describe('older genuine envelopes', () => {
    it('replayed alone over a newer item: refused when what it binds changed (a signed @Version)', async () => {
      const safes = db.repository(Safe);
      const key = { owner: 'replay', slot: 's' };
      const safe = Object.assign(new Safe(), key, { secret: 'v1-secret' });
      await safes.save(safe);
      const v1 = await getRaw(entityMetadataTable(Safe), key);
      safe.secret = 'v2-secret';
      await safes.save(safe);
      const v2 = await getRaw(entityMetadataTable(Safe), key);
      await putRaw(entityMetadataTable(Safe), { ...v2, __td: v1.__td });
      const error = await safes.find(key).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(EncryptionError);
      expect((error as EncryptionError).code).to.equal('INTEGRITY');
      // The whole item rolled back to its earlier genuine state reads (documented in the threat model).
      await putRaw(entityMetadataTable(Safe), v1);
      expect((await safes.find(key))?.secret).to.equal('v1-secret');
    });
  });

  it('a wrapped key planted from another KMS key under our fingerprint: refused by KeyId pinning', async () => {
    const key = { owner: 'planted', slot: 's' };
    const original = await saveAccount(key);
    const attacker = new TheoryDb({
      dynamodb: raw,
      kms: { client: kms.client(), keyId: otherArn },
    }).repository(Account);
    const theirKey = { owner: 'planted', slot: 'x' };
    await attacker.save(
      Object.assign(new Account(), theirKey, {
        label: 'l',
        ownerEmail: OWNER,
        limit: 100,
        secret: 'a',
      }),
    );
    const forged = Buffer.from((await getRaw(ACCOUNT_TABLE, theirKey)).__td.B!);
    keyFingerprint(keyArn).copy(forged, ENTRIES_OFFSET);
    kms.resetCalls();
    await expectRefused(key, { ...original, __td: { B: forged } }, [
      'INTEGRITY',
      'KEY_NOT_ALLOWED',
    ]);
    expect(kms.calls('Decrypt')).to.be.greaterThan(0);
    await raw.send(new DeleteItemCommand({ TableName: ACCOUNT_TABLE, Key: rawKey(theirKey) }));
    await putRaw(ACCOUNT_TABLE, original);
  });
});

function entityMetadataTable(target: new () => object): string {
  return entityMetadata(target).table;
}
