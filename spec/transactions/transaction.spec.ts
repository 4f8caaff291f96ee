import { expect } from 'chai';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  CreatedAt,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  TransactionCanceledError,
  type TransactionBuilder,
  UpdatedAt,
  ValidationError,
  Version,
} from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { recordingDynamo, searchableJson, type DynamoRecorder } from '../support/dynamo-recorder';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('tx-accounts'), name: 'Account' })
class Account {
  @PartitionKey() id!: string;
  @Attribute() name?: string; // a reserved word
  @Attribute() balance?: number;
  @Encrypted() secret?: string;
  @Version() version?: number;
  @CreatedAt() createdAt?: Date;
  @UpdatedAt() updatedAt?: Date;
}

@Entity({ table: uniqueTable('tx-ledger'), name: 'Ledger' })
class Ledger {
  @PartitionKey() accountId!: string;
  @SortKey() entry!: string;
  @Attribute() amount?: number;
  @Encrypted() memo?: string;
}

@Entity({ table: uniqueTable('tx-vault'), name: 'Vault' })
class Vault {
  @PartitionKey() id!: string;
  @Encrypted({ key: 'vault' }) sealed?: string;
}

@Entity({ table: uniqueTable('tx-plain') })
class Plain {
  @PartitionKey() id!: string;
  @Attribute() status?: string;
}

const SECRET = 'sk_live_tx_secret_9f8e';

describe('db.transaction (DynamoDB Local + LocalKms)', () => {
  let kms: LocalKms;
  let keyArn: string;
  let clock: Date;
  let recorder: DynamoRecorder;
  let db: TheoryDb;

  const dbWith = (rec: DynamoRecorder, kmsClient = kms.client()) =>
    new TheoryDb({
      dynamodb: rec.client,
      kms: { client: kmsClient, keyId: keyArn },
      now: () => clock,
    });

  const account = (id: string, fields: Partial<Account> = {}) =>
    Object.assign(new Account(), { id, name: `n-${id}`, balance: 10, secret: SECRET, ...fields });
  const ledger = (accountId: string, entry: string, amount = 1) =>
    Object.assign(new Ledger(), { accountId, entry, amount, memo: `memo ${entry}` });

  before(async () => {
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/tx-${process.pid}` });
    clock = new Date('2026-03-04T05:06:07.000Z');
    recorder = await recordingDynamo();
    db = dbWith(recorder);
    await Promise.all([db.createTable(Account), db.createTable(Ledger), db.createTable(Plain)]);
  });

  beforeEach(() => recorder.clear());
  afterEach(() => kms.clearFaults());

  it('commits save, update, delete and check across two tables in ONE TransactWriteItems', async () => {
    const accounts = db.repository(Account);
    const ledgers = db.repository(Ledger);
    await accounts.save(account('c-a1'));
    await ledgers.save(ledger('c-a1', 'old'));
    await ledgers.save(ledger('c-a1', 'keep', 5));
    await ledgers.save(ledger('c-a1', 'guard'));
    clock = new Date('2026-03-05T00:00:00.000Z');

    const fresh = account('c-a2', { balance: 0 });
    const loaded = await accounts.get({ id: 'c-a1' });
    loaded.balance = 42;
    const entry = ledger('c-a1', 'new', 7);

    // What the instances look like while the request is on its way: not yet committed.
    const atSend: unknown[] = [];
    const spy = await recordingDynamo();
    spy.client.middlewareStack.add(
      (next) => async (args) => {
        atSend.push([fresh.version, fresh.createdAt, loaded.version, loaded.updatedAt]);
        return next(args);
      },
      { step: 'initialize', name: 'txSpecSnapshot' },
    );
    const spied = dbWith(spy);
    recorder.clear();

    const result = await spied.transaction((tx) => {
      tx.save(fresh, { ifNotExists: true });
      tx.save(loaded);
      tx.save(entry);
      tx.update(Ledger, { accountId: 'c-a1', entry: 'keep' }, { add: { amount: 3 } });
      tx.delete(Ledger, { accountId: 'c-a1', entry: 'old' }, { ifExists: true });
      // v2: exists on an encrypted field is refused (see below), so the guard tests a key.
      tx.check(Ledger, { accountId: 'c-a1', entry: 'guard' }, (c) => c.exists('entry'));
      return tx.size;
    });

    expect(result).to.equal(6);
    expect(spy.names()).to.deep.equal(['TransactWriteItemsCommand']);
    expect(atSend).to.deep.equal([[undefined, undefined, 1, new Date('2026-03-04T05:06:07.000Z')]]);
    const sent = spy.bodies();
    expect(sent).to.not.include(SECRET);
    expect(sent).to.not.include('memo new');

    expect(fresh.version).to.equal(1);
    expect(fresh.createdAt?.toISOString()).to.equal('2026-03-05T00:00:00.000Z');
    expect(fresh.updatedAt?.toISOString()).to.equal('2026-03-05T00:00:00.000Z');
    expect(loaded.version).to.equal(2);
    expect(loaded.createdAt?.toISOString()).to.equal('2026-03-04T05:06:07.000Z');
    expect(loaded.updatedAt?.toISOString()).to.equal('2026-03-05T00:00:00.000Z');

    const stored = await accounts.get({ id: 'c-a2' });
    expect(stored.secret).to.equal(SECRET);
    expect(stored.version).to.equal(1);
    expect((await accounts.get({ id: 'c-a1' })).balance).to.equal(42);
    expect((await ledgers.get({ accountId: 'c-a1', entry: 'new' })).memo).to.equal('memo new');
    expect((await ledgers.get({ accountId: 'c-a1', entry: 'keep' })).amount).to.equal(8);
    expect(await ledgers.find({ accountId: 'c-a1', entry: 'old' })).to.equal(undefined);
  });

  it('is cancelled by a failed condition: one reason per action, nothing written, no instance touched', async () => {
    const ledgers = db.repository(Ledger);
    await ledgers.save(ledger('f-a1', 'keep', 5));
    await ledgers.save(ledger('f-a1', 'other', 5));
    recorder.clear();
    const fresh = account('f-a2');
    const error = await db
      .transaction((tx) => {
        tx.save(fresh);
        tx.check(Ledger, { accountId: 'f-a1', entry: 'keep' }, (c) => c.gt('amount', 100));
        tx.update(Ledger, { accountId: 'f-a1', entry: 'absent' }, { set: { amount: 1 } });
        tx.delete(
          Ledger,
          { accountId: 'f-a1', entry: 'other' },
          { condition: (c) => c.eq('amount', 5) },
        );
      })
      .catch((e: unknown) => e);

    expect(error).to.be.instanceOf(TransactionCanceledError);
    const canceled = error as TransactionCanceledError;
    expect(canceled.code).to.equal('TRANSACTION_CANCELED');
    expect(canceled.retryable).to.equal(false);
    expect(canceled.reasons.map((r) => [r.index, r.action, r.entity, r.code])).to.deep.equal([
      [0, 'save', 'Account', 'NONE'],
      [1, 'check', 'Ledger', 'CONDITION_FAILED'],
      [2, 'update', 'Ledger', 'CONDITION_FAILED'],
      [3, 'delete', 'Ledger', 'NONE'],
    ]);
    expect(canceled.failures.map((r) => r.index)).to.deep.equal([1, 2]);
    expect(canceled.message).to.match(/action 1 \(check Ledger\): CONDITION_FAILED/);
    expect(recorder.count('TransactWriteItemsCommand')).to.equal(1);

    expect(fresh.version).to.equal(undefined);
    expect(fresh.createdAt).to.equal(undefined);
    expect(await db.repository(Account).find({ id: 'f-a2' })).to.equal(undefined);
    expect((await ledgers.get({ accountId: 'f-a1', entry: 'keep' })).amount).to.equal(5);
    expect((await ledgers.get({ accountId: 'f-a1', entry: 'other' })).amount).to.equal(5);
  });

  it('names version conflicts, telling them from failed conditions with ALL_OLD', async () => {
    const accounts = db.repository(Account);
    await accounts.save(account('v-a1'));
    await accounts.save(account('v-a2'));
    await accounts.save(account('v-a3'));
    const staleA1 = await accounts.get({ id: 'v-a1' });
    const staleA2 = await accounts.get({ id: 'v-a2' });
    const current = await accounts.get({ id: 'v-a3' });
    await accounts.save(await accounts.get({ id: 'v-a1' })); // now version 2
    await accounts.save(await accounts.get({ id: 'v-a2' }));
    recorder.clear();

    const before = [staleA1.version, staleA1.updatedAt, current.version, current.updatedAt];
    const error = await db
      .transaction((tx) => {
        tx.save(staleA1); // version check only
        tx.save(staleA2, { condition: (c) => c.eq('balance', 10) }); // version stale, condition holds
        tx.save(current, { condition: (c) => c.eq('balance', 999) }); // version holds, condition fails
        tx.update(Account, { id: 'v-a4' }, { set: { balance: 1 } }, { expectedVersion: 1 }); // gone
        tx.save(account('v-a1b')); // new: fine
      })
      .catch((e: unknown) => e);

    expect(error).to.be.instanceOf(TransactionCanceledError);
    const canceled = error as TransactionCanceledError;
    expect(canceled.reasons.map((r) => [r.action, r.code, r.expectedVersion])).to.deep.equal([
      ['save', 'VERSION_CONFLICT', 1],
      ['save', 'VERSION_CONFLICT', 1],
      ['save', 'CONDITION_FAILED', undefined],
      ['update', 'VERSION_CONFLICT', 1],
      ['save', 'NONE', undefined],
    ]);
    // ALL_OLD was asked only where a version and a condition are both checked.
    const input = recorder.commands[0].input as {
      TransactItems: Record<string, Record<string, unknown>>[];
    };
    const asked = input.TransactItems.map(
      (item) => Object.values(item)[0].ReturnValuesOnConditionCheckFailure,
    );
    expect(asked).to.deep.equal([undefined, 'ALL_OLD', 'ALL_OLD', 'ALL_OLD', undefined]);

    expect([staleA1.version, staleA1.updatedAt, current.version, current.updatedAt]).to.deep.equal(
      before,
    );
    expect(await accounts.find({ id: 'v-a1b' })).to.equal(undefined);
    expect((await accounts.get({ id: 'v-a3' })).version).to.equal(1);
  });

  it('keeps no returned item, key value or ciphertext in the error or its cause', async () => {
    const accounts = db.repository(Account);
    await accounts.save(account('s-a1'));
    const stale = await accounts.get({ id: 's-a1' });
    await accounts.save(await accounts.get({ id: 's-a1' }));
    const raw = await recorder.client.send(
      new GetItemCommand({ TableName: accounts.metadata.table, Key: { id: { S: 's-a1' } } }),
    );
    const ciphertext = Buffer.from(raw.Item!.__td.B!).toString('base64');
    const error = await db
      .transaction((tx) => {
        tx.save(stale, { condition: (c) => c.eq('balance', 10) });
      })
      .catch((e: unknown) => e);
    const canceled = error as TransactionCanceledError;
    expect(canceled.reasons[0].code).to.equal('VERSION_CONFLICT');
    const cause = canceled.cause as { CancellationReasons: object[] };
    expect(cause.CancellationReasons).to.have.length(1);
    expect(cause.CancellationReasons.every((r) => !('Item' in r))).to.equal(true);
    for (const text of [
      searchableJson(canceled),
      searchableJson(cause),
      canceled.message,
      String(canceled.stack),
    ]) {
      expect(text).to.not.include(ciphertext);
      expect(text).to.not.include('s-a1');
      expect(text).to.not.include(SECRET);
    }
  });

  it('refuses 0 and 101 actions before sending anything', async () => {
    const none = await db.transaction(() => undefined).catch((e: unknown) => e);
    expect(none).to.be.instanceOf(ValidationError);
    expect((none as ValidationError).message).to.match(/1 to 100 actions, got 0/);
    const tooMany = await db
      .transaction((tx) => {
        for (let i = 0; i < 101; i++) tx.check(Plain, { id: `p${i}` }, (c) => c.exists('id'));
      })
      .catch((e: unknown) => e);
    expect(tooMany).to.be.instanceOf(ValidationError);
    expect((tooMany as ValidationError).message).to.match(/got 101/);
    expect(recorder.count()).to.equal(0);
  });

  it('accepts exactly 100 actions', async () => {
    await db.transaction((tx) => {
      for (let i = 0; i < 100; i++) {
        tx.save(Object.assign(new Plain(), { id: `hundred-${i}`, status: 'ok' }));
      }
    });
    expect(recorder.names()).to.deep.equal(['TransactWriteItemsCommand']);
    expect((await db.repository(Plain).get({ id: 'hundred-99' })).status).to.equal('ok');
  });

  it('sends nothing when KMS fails while encrypting (KMS_KEY_DISABLED)', async () => {
    const rec = await recordingDynamo();
    const failing = dbWith(rec, kms.client({ maxAttempts: 1 }));
    const fresh = account('k-a1');
    const entry = ledger('k-a1', 'e1');
    try {
      kms.failNext(1, 'DisabledException', { operation: 'GenerateDataKey' });
      const error = await failing
        .transaction((tx) => {
          tx.save(Object.assign(new Plain(), { id: 'k-plain' }));
          tx.save(fresh);
          tx.save(entry);
        })
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(EncryptionError);
      expect((error as EncryptionError).code).to.equal('KMS_KEY_DISABLED');
    } finally {
      kms.clearFaults();
    }
    expect(rec.names()).to.deep.equal([]);
    expect(fresh.version).to.equal(undefined);
    expect(await db.repository(Plain).find({ id: 'k-plain' })).to.equal(undefined);
  });

  it('uses one data-key scope for the whole transaction', async () => {
    kms.resetCalls();
    await db.transaction((tx) => {
      for (let i = 0; i < 5; i++) tx.save(account(`scope-${i}`));
      for (let i = 0; i < 5; i++) tx.save(ledger('scope', `e${i}`));
    });
    // One data key per (key, table): the encryption context binds the table.
    expect(kms.calls('GenerateDataKey')).to.equal(2);
  });

  it('refuses, before sending, when any entity involved has no key bound (ENCRYPTION_NOT_CONFIGURED)', async () => {
    const rec = await recordingDynamo();
    const unkeyed = new TheoryDb({ dynamodb: rec.client });
    const error = await unkeyed
      .transaction((tx) => {
        tx.save(Object.assign(new Plain(), { id: 'nc-1' }));
        tx.delete(Ledger, { accountId: 'nc', entry: 'e' }); // a delete of an encrypted entity too
      })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EncryptionError);
    expect((error as EncryptionError).code).to.equal('ENCRYPTION_NOT_CONFIGURED');
    expect(rec.count()).to.equal(0);
  });

  it('runs the preflight of every entity even where nothing is encrypted (an unbound named key)', async () => {
    // db binds only the default key: Vault's named key 'vault' is not bound. A delete encrypts
    // nothing, so only the preflight can refuse it.
    await db.createTable(Vault);
    recorder.clear();
    const error = await db
      .transaction((tx) => {
        tx.save(Object.assign(new Plain(), { id: 'pf-1' }));
        tx.delete(Vault, { id: 'v1' });
      })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EncryptionError);
    expect((error as EncryptionError).code).to.equal('ENCRYPTION_NOT_CONFIGURED');
    expect((error as EncryptionError).field).to.equal('sealed');
    expect(recorder.count()).to.equal(0);
    const found = await db.transactFind([[Vault, { id: 'v1' }]]).catch((e: unknown) => e);
    expect((found as EncryptionError).code).to.equal('ENCRYPTION_NOT_CONFIGURED');
    expect(recorder.count()).to.equal(0);
  });

  it('refuses two actions on one item, bad keys and conditions, at the call, before sending', async () => {
    const twice = await db
      .transaction((tx) => {
        tx.save(Object.assign(new Plain(), { id: 'dup' }));
        tx.delete(Plain, { id: 'dup' });
      })
      .catch((e: unknown) => e);
    expect(twice).to.be.instanceOf(ValidationError);
    expect((twice as ValidationError).message).to.match(
      /actions 0 and 1 touch the same Plain item/,
    );
    expect((twice as ValidationError).message).to.not.include('dup');

    const badKey = await db
      .transaction((tx) => {
        tx.delete(Ledger, { accountId: 'x' });
      })
      .catch((e: unknown) => e);
    expect((badKey as ValidationError).message).to.equal(
      'Ledger.entry is a key property and must be set',
    );

    const onSecret = await db
      .transaction((tx) => {
        tx.check(Account, { id: 'x' }, (c) => c.eq('secret', 'guess'));
      })
      .catch((e: unknown) => e);
    expect((onSecret as EncryptionError).code).to.equal('ENCRYPTED_FIELD_NOT_QUERYABLE');

    // v2: whether an encrypted field is set is sealed in the envelope too.
    const existsSecret = await db
      .transaction((tx) => {
        tx.check(Ledger, { accountId: 'x', entry: 'y' }, (c) => c.exists('memo'));
      })
      .catch((e: unknown) => e);
    expect(existsSecret).to.be.instanceOf(EncryptionError);
    expect((existsSecret as EncryptionError).code).to.equal('ENCRYPTED_FIELD_NOT_QUERYABLE');

    // v2: an update of an encrypted field must re-seal the item, which a transaction cannot do.
    const updateSecret = await db
      .transaction((tx) => {
        tx.update(Ledger, { accountId: 'x', entry: 'y' }, { set: { memo: 'guess' } });
      })
      .catch((e: unknown) => e);
    expect(updateSecret).to.be.instanceOf(ValidationError);
    expect((updateSecret as Error).message).to.not.include('guess');

    const notEntity = await db
      .transaction((tx) => {
        tx.save({ id: 'plain object' });
      })
      .catch((e: unknown) => e);
    expect((notEntity as { code?: string }).code).to.equal('ENTITY_DEFINITION');
    expect(recorder.count()).to.equal(0);
  });

  it('sends nothing when the callback throws, and refuses the builder after the callback', async () => {
    let kept: TransactionBuilder | undefined;
    const thrown = await db
      .transaction((tx) => {
        kept = tx;
        tx.save(Object.assign(new Plain(), { id: 'thrown' }));
        throw new Error('changed my mind');
      })
      .catch((e: unknown) => e);
    expect((thrown as Error).message).to.equal('changed my mind');
    expect(() => kept!.save(Object.assign(new Plain(), { id: 'late' }))).to.throw(
      ValidationError,
      /after the transaction callback returned/,
    );
    const awaited = await db.transaction(async (tx) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      tx.save(Object.assign(new Plain(), { id: 'async' }));
      return 'done';
    });
    expect(awaited).to.equal('done');
    expect(recorder.names()).to.deep.equal(['TransactWriteItemsCommand']);
    expect(await db.repository(Plain).find({ id: 'thrown' })).to.equal(undefined);
  });

  it('maps a DynamoDB failure other than a cancellation through the usual converter', async () => {
    @Entity({ table: uniqueTable('tx-missing-table') })
    class Nowhere {
      @PartitionKey() id!: string;
    }
    const error = await db
      .transaction((tx) => {
        tx.save(Object.assign(new Nowhere(), { id: 'n' }));
      })
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal('DYNAMODB_TABLE_NOT_FOUND');
  });

  it('runs plain entities on a TheoryDb without a KMS binding', async () => {
    const plainDb = new TheoryDb({ dynamodb: (await sharedDynamo()).client });
    await plainDb.transaction((tx) => {
      tx.save(Object.assign(new Plain(), { id: 'shared', status: 'on' }));
    });
    expect((await plainDb.repository(Plain).get({ id: 'shared' })).status).to.equal('on');
  });
});
