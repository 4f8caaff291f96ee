import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  EncryptionError,
  Encrypted,
  Entity,
  PartitionKey,
  TheoryDb,
  ValidationError,
  type KmsOptions,
} from '../../src';
import { parseEnvelope } from '../../src/crypto/envelope';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { expectEncryptionError } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// The strict key resolver: a field uses exactly the key bound for its name, never another one,
// and a field whose key is not bound refuses every operation before anything is sent.

const CARD = '4111-1111-1111-1111-KEYBINDING';
const EMAIL = 'ada.keybinding@example.com';

@Entity({ table: uniqueTable('enc-kb-payment'), name: 'Payment' })
class Payment {
  @PartitionKey() id!: string;
  @Attribute() memo?: string;
  @Encrypted({ key: 'payments' }) card?: string;
}

@Entity({ table: uniqueTable('enc-kb-profile'), name: 'Profile' })
class Profile {
  @PartitionKey() id!: string;
  @Encrypted() email?: string;
}

@Entity({ table: uniqueTable('enc-kb-mixed'), name: 'Mixed' })
class Mixed {
  @PartitionKey() id!: string;
  @Encrypted() email?: string;
  @Encrypted({ key: 'payments' }) card?: string;
}

@Entity({ table: uniqueTable('enc-kb-plain'), name: 'PlainNote' })
class PlainNote {
  @PartitionKey() id!: string;
  @Attribute() text?: string;
}

describe('Key binding: the strict resolver (DynamoDB Local + LocalKms)', function () {
  this.timeout(30_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let defaultAlias: string;
  let defaultArn: string;
  let paymentsAlias: string;
  let paymentsArn: string;
  const recorders: DynamoRecorder[] = [];

  async function recordedDb(kmsOptions?: Omit<KmsOptions, 'client'>) {
    const rec = await recordingDynamo();
    recorders.push(rec);
    const db = new TheoryDb({
      dynamodb: rec.client,
      ...(kmsOptions === undefined ? {} : { kms: { client: kms.client(), ...kmsOptions } }),
    });
    return { db, rec };
  }

  async function storedEnvelope(table: string, id: string, attribute: string): Promise<Buffer> {
    const out = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    const value = out.Item?.[attribute]?.B;
    expect(value, `${attribute} is stored as B`).to.be.instanceOf(Uint8Array);
    return Buffer.from(value!);
  }

  /** The fingerprint of the key an envelope was sealed under (its first entry). */
  const fingerprintOf = (envelope: Buffer) => parseEnvelope(envelope).entries[0].fingerprint;

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    defaultAlias = `alias/${uniqueTable('enc-kb-default')}`;
    paymentsAlias = `alias/${uniqueTable('enc-kb-payments')}`;
    defaultArn = await kms.createKey({ alias: defaultAlias });
    paymentsArn = await kms.createKey({ alias: paymentsAlias });
    const setup = new TheoryDb({ dynamodb: dynamo.client });
    for (const target of [Payment, Profile, Mixed, PlainNote]) await setup.createTable(target);
  });

  after(() => {
    for (const rec of recorders) rec.client.destroy();
  });

  describe('a named key that is not bound', () => {
    const operations: [string, (db: TheoryDb) => Promise<unknown>][] = [
      [
        'save',
        (db) => db.repository(Payment).save(Object.assign(new Payment(), { id: 'p1', card: CARD })),
      ],
      ['find', (db) => db.repository(Payment).find({ id: 'p1' })],
      ['get', (db) => db.repository(Payment).get({ id: 'p1' })],
      ['delete', (db) => db.repository(Payment).delete({ id: 'p1' })],
    ];
    for (const [name, run] of operations) {
      it(`${name}: ENCRYPTION_NOT_CONFIGURED before any request, no fallback to kms.keyId`, async () => {
        const { db, rec } = await recordedDb({ keyId: defaultAlias });
        const kmsBefore = kms.calls();
        const error = await expectEncryptionError(run(db), {
          code: 'ENCRYPTION_NOT_CONFIGURED',
          entity: 'Payment',
          field: 'card',
          secrets: [CARD],
        });
        expect(error.keyArn).to.equal(undefined);
        expect(error.message).to.contain('kms.keys.payments');
        expect(rec.count()).to.equal(0);
        expect(kms.calls()).to.equal(kmsBefore);
      });
    }

    it('a misspelt key name does not bind the field either', async () => {
      const { db, rec } = await recordedDb({
        keyId: defaultAlias,
        keys: { payment: paymentsAlias },
      });
      await expectEncryptionError(
        db.repository(Payment).save(Object.assign(new Payment(), { id: 'p2', card: CARD })),
        { code: 'ENCRYPTION_NOT_CONFIGURED', entity: 'Payment', field: 'card', secrets: [CARD] },
      );
      expect(rec.count()).to.equal(0);
    });

    it('refuses the whole entity even when the unbound field is not set in this save', async () => {
      const { db, rec } = await recordedDb({ keyId: defaultAlias });
      const kmsBefore = kms.calls();
      await expectEncryptionError(
        db.repository(Mixed).save(Object.assign(new Mixed(), { id: 'm0', email: EMAIL })),
        { code: 'ENCRYPTION_NOT_CONFIGURED', entity: 'Mixed', field: 'card', secrets: [EMAIL] },
      );
      expect(rec.count()).to.equal(0);
      expect(kms.calls()).to.equal(kmsBefore);
    });

    it('the default key is not taken from kms.keys either (only keys bound, no keyId)', async () => {
      const { db, rec } = await recordedDb({ keys: { payments: paymentsAlias } });
      const error = await expectEncryptionError(
        db.repository(Profile).save(Object.assign(new Profile(), { id: 'd1', email: EMAIL })),
        { code: 'ENCRYPTION_NOT_CONFIGURED', entity: 'Profile', field: 'email', secrets: [EMAIL] },
      );
      expect(error.message).to.contain('kms.keyId');
      expect(rec.count()).to.equal(0);
    });
  });

  describe('a named key that is bound', () => {
    it('is used, and only it: the envelope carries its fingerprint', async () => {
      const { db, rec } = await recordedDb({
        keyId: defaultAlias,
        keys: { payments: paymentsAlias },
      });
      const repo = db.repository(Payment);
      kms.resetCalls();
      await repo.save(Object.assign(new Payment(), { id: 'p10', memo: 'm', card: CARD }));
      expect(rec.names()).to.deep.equal(['PutItemCommand']);
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      // Only the payments key id is resolved: the default key is never touched for this entity.
      expect(kms.calls('DescribeKey')).to.equal(1);
      const envelope = await storedEnvelope(repo.metadata.table, 'p10', '__td:payments');
      expect(fingerprintOf(envelope).equals(keyFingerprint(paymentsArn))).to.equal(true);
      expect(fingerprintOf(envelope).equals(keyFingerprint(defaultArn))).to.equal(false);
      expect((await repo.find({ id: 'p10' }))?.card).to.equal(CARD);
    });

    it('a reader that binds the payments name to the default key fails KEY_NOT_ALLOWED, no Decrypt', async () => {
      const { db: writerDb } = await recordedDb({ keys: { payments: paymentsAlias } });
      await writerDb
        .repository(Payment)
        .save(Object.assign(new Payment(), { id: 'p11', card: CARD }));
      const { db, rec } = await recordedDb({
        keyId: paymentsAlias,
        keys: { payments: defaultAlias },
      });
      kms.resetCalls();
      await expectEncryptionError(db.repository(Payment).find({ id: 'p11' }), {
        code: 'KEY_NOT_ALLOWED',
        entity: 'Payment',
        field: 'card',
        keyArn: defaultArn,
        secrets: [CARD],
      });
      expect(kms.calls('Decrypt')).to.equal(0);
      expect(rec.names()).to.deep.equal(['GetItemCommand']);
    });

    it('two fields under two keys: each envelope carries its own key, one GenerateDataKey each', async () => {
      const { db } = await recordedDb({ keyId: defaultAlias, keys: { payments: paymentsAlias } });
      const repo = db.repository(Mixed);
      kms.resetCalls();
      await repo.save(Object.assign(new Mixed(), { id: 'm1', email: EMAIL, card: CARD }));
      expect(kms.calls('GenerateDataKey')).to.equal(2);
      const table = repo.metadata.table;
      const email = await storedEnvelope(table, 'm1', '__td');
      const card = await storedEnvelope(table, 'm1', '__td:payments');
      expect(fingerprintOf(email).equals(keyFingerprint(defaultArn))).to.equal(true);
      expect(fingerprintOf(card).equals(keyFingerprint(paymentsArn))).to.equal(true);
      kms.resetCalls();
      const found = await repo.find({ id: 'm1' });
      expect([found?.email, found?.card]).to.deep.equal([EMAIL, CARD]);
      expect(kms.calls('Decrypt')).to.equal(2);
      // Swapping the bindings makes both fields refuse before KMS.
      const { db: swapped } = await recordedDb({
        keyId: paymentsAlias,
        keys: { payments: defaultAlias },
      });
      kms.resetCalls();
      await expectEncryptionError(swapped.repository(Mixed).find({ id: 'm1' }), {
        code: 'KEY_NOT_ALLOWED',
        entity: 'Mixed',
        secrets: [EMAIL, CARD],
      });
      expect(kms.calls('Decrypt')).to.equal(0);
    });
  });

  describe('a client without kms', () => {
    const operations: [string, (db: TheoryDb) => Promise<unknown>][] = [
      [
        'save',
        (db) =>
          db.repository(Profile).save(Object.assign(new Profile(), { id: 'n1', email: EMAIL })),
      ],
      ['find', (db) => db.repository(Profile).find({ id: 'n1' })],
      ['get', (db) => db.repository(Profile).get({ id: 'n1' })],
      ['delete', (db) => db.repository(Profile).delete({ id: 'n1' })],
    ];
    for (const [name, run] of operations) {
      it(`${name} of an encrypted entity: ENCRYPTION_NOT_CONFIGURED, nothing sent`, async () => {
        const { db, rec } = await recordedDb(undefined);
        const kmsBefore = kms.calls();
        const error = await expectEncryptionError(run(db), {
          code: 'ENCRYPTION_NOT_CONFIGURED',
          entity: 'Profile',
          field: 'email',
          secrets: [EMAIL],
        });
        expect(error.message).to.contain('no kms binding');
        expect(rec.count()).to.equal(0);
        expect(kms.calls()).to.equal(kmsBefore);
      });
    }

    it('still serves entities without encrypted fields', async () => {
      const { db, rec } = await recordedDb(undefined);
      const repo = db.repository(PlainNote);
      await repo.save(Object.assign(new PlainNote(), { id: 'plain', text: 'hello' }));
      expect((await repo.get({ id: 'plain' })).text).to.equal('hello');
      await repo.delete({ id: 'plain' });
      expect(rec.names()).to.deep.equal(['PutItemCommand', 'GetItemCommand', 'DeleteItemCommand']);
    });
  });

  describe('key references', () => {
    it('alias name, alias ARN, key id and key ARN all bind the same key', async () => {
      const alias = `alias/${uniqueTable('enc-kb-forms')}`;
      const arn = await kms.createKey({ alias });
      const keyId = arn.slice(arn.indexOf('key/') + 'key/'.length);
      const aliasArn = arn.replace(/key\/.*$/, alias);
      expect(aliasArn).to.match(/^arn:aws:kms:[a-z0-9-]+:\d{12}:alias\//);
      const forms = [alias, aliasArn, keyId, arn];
      const repos = [];
      for (const [i, form] of forms.entries()) {
        const { db } = await recordedDb({ keyId: form });
        const repo = db.repository(Profile);
        await repo.save(Object.assign(new Profile(), { id: `form-${i}`, email: `${i}-${EMAIL}` }));
        const envelope = await storedEnvelope(repo.metadata.table, `form-${i}`, '__td');
        expect(fingerprintOf(envelope).equals(keyFingerprint(arn)), form).to.equal(true);
        repos.push(repo);
      }
      // Every form reads what every other form wrote.
      for (const repo of repos) {
        for (let i = 0; i < forms.length; i += 1) {
          expect((await repo.get({ id: `form-${i}` })).email).to.equal(`${i}-${EMAIL}`);
        }
      }
    });

    it('DescribeKey is called once per key id across many operations, concurrent ones included', async () => {
      const { db } = await recordedDb({ keyId: defaultAlias, keys: { payments: paymentsAlias } });
      const profiles = db.repository(Profile);
      const payments = db.repository(Payment);
      kms.resetCalls();
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          profiles.save(Object.assign(new Profile(), { id: `dk-${i}`, email: EMAIL })),
        ),
      );
      expect(kms.calls('DescribeKey')).to.equal(1);
      for (let i = 0; i < 10; i += 1) {
        expect((await profiles.get({ id: `dk-${i}` })).email).to.equal(EMAIL);
        await payments.save(Object.assign(new Payment(), { id: `dk-${i}`, card: CARD }));
        expect((await payments.get({ id: `dk-${i}` })).card).to.equal(CARD);
      }
      expect(kms.calls('DescribeKey')).to.equal(2);
      expect(kms.calls('GenerateDataKey')).to.equal(20);
      expect(kms.calls('Decrypt')).to.equal(20);
    });

    it('a failed DescribeKey is not remembered: the next operation asks again', async () => {
      const { db } = await recordedDb({ keyId: defaultAlias });
      const repo = db.repository(Profile);
      kms.resetCalls();
      kms.failNext(1, 'KMSInternalException', { operation: 'DescribeKey' });
      try {
        await expectEncryptionError(
          repo.save(Object.assign(new Profile(), { id: 'retry-describe', email: EMAIL })),
          { code: 'KMS_UNAVAILABLE', keyArn: defaultAlias, secrets: [EMAIL] },
        );
      } finally {
        kms.clearFaults();
      }
      await repo.save(Object.assign(new Profile(), { id: 'retry-describe', email: EMAIL }));
      expect(kms.calls('DescribeKey')).to.equal(2);
    });
  });

  describe('binding configuration is checked at construction', () => {
    it('refuses an empty key id, an empty named key, a missing client and a bad timeout', () => {
      const client = kms.client();
      const dynamodb = dynamo.client;
      const bad: [string, () => unknown][] = [
        ['empty keyId', () => new TheoryDb({ dynamodb, kms: { client, keyId: '' } })],
        ['blank keyId', () => new TheoryDb({ dynamodb, kms: { client, keyId: '  ' } })],
        [
          'empty named key',
          () => new TheoryDb({ dynamodb, kms: { client, keys: { payments: '' } } }),
        ],
        [
          'no client',
          () => new TheoryDb({ dynamodb, kms: { keyId: defaultAlias } as unknown as KmsOptions }),
        ],
        [
          'zero timeout',
          () => new TheoryDb({ dynamodb, kms: { client, keyId: defaultAlias, timeoutMs: 0 } }),
        ],
      ];
      for (const [what, build] of bad) {
        expect(build, what).to.throw(ValidationError);
      }
    });

    it('an EncryptionError is not a ValidationError (callers can tell config from key problems)', async () => {
      const { db } = await recordedDb(undefined);
      const error = await db
        .repository(Profile)
        .find({ id: 'x' })
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(EncryptionError);
      expect(error).not.to.be.instanceOf(ValidationError);
    });
  });
});
