import { GetItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  EncryptionError,
  Encrypted,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  ValidationError,
  Version,
  type EncryptionErrorCode,
  type KmsOptions,
  type StreamImage,
} from '../../src';
import { parseEnvelope, type ParsedEnvelope } from '../../src/crypto/envelope';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { expectNoLeak } from '../crypto/fixtures/crypto-fixtures';
import { expectEncryptionError, expectErrorFreeOf } from '../support/leak-check';
import { registerSentinel } from '../support/leak-guard';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Retired keys (`kms.retired`): a field moved to a new KMS key keeps reading the values sealed
// under the keys it used before, with Decrypt pinned to the very key the envelope names, writes
// only under its current key, and still refuses a value under any key the operator did not list
// for that field's binding. Everything runs on DynamoDB Local and LocalKms; KMS requests are
// counted by LocalKms and their KeyId captured by a middleware on each TheoryDb's KMS client.

const TOKENS = Array.from({ length: 8 }, (_, i) => `retired-keys-token-${i}-Zp4wQ`);
const RECOVERY = Array.from({ length: 8 }, (_, i) => `retired-keys-recovery-${i}-Mh2kV`);
const CARD = 'retired-keys-card-4111-1111-1111-1111';
const EMAIL = 'retired-keys-email-ada@example.com';
const NOTES = Array.from({ length: 4 }, (_, i) => `retired-keys-note-${i}-Lw9cX`);
const PLAINTEXTS = [...TOKENS, ...RECOVERY, CARD, EMAIL, ...NOTES];
for (const secret of PLAINTEXTS) registerSentinel(secret);

const VAULT_TABLE = uniqueTable('enc-retired-vault');
const PAYMENT_TABLE = uniqueTable('enc-retired-payment');
const NOTE_TABLE = uniqueTable('enc-retired-note');

/** Two encrypted fields under the default key, sealed with one data key per save. */
@Entity({ table: VAULT_TABLE, name: 'Vault' })
class Vault {
  @PartitionKey() owner!: string;
  @SortKey() id!: string;
  @Encrypted() token?: string;
  @Encrypted() recovery?: string;
  @Version() version?: number;
}

/** One field per binding: the default key and the named key `payments`. */
@Entity({ table: PAYMENT_TABLE, name: 'Payment' })
class Payment {
  @PartitionKey() id!: string;
  @Encrypted() email?: string;
  @Encrypted({ key: 'payments' }) card?: string;
}

/** No @Version, so it can be batch-written: one data key for a whole batch. */
@Entity({ table: NOTE_TABLE, name: 'Note' })
class Note {
  @PartitionKey() owner!: string;
  @SortKey() id!: string;
  @Encrypted() text?: string;
}

interface Key {
  readonly alias: string;
  readonly arn: string;
}

/** One KMS request as the client sent it. */
interface KmsRequest {
  readonly operation: string;
  readonly keyId: unknown;
}

/** What one measured action cost in KMS requests, and under which keys. */
interface Measured {
  readonly DescribeKey: number;
  readonly GenerateDataKey: number;
  readonly Decrypt: number;
  readonly total: number;
  /** KeyId of every request, per operation, in the order sent. */
  readonly describe: unknown[];
  readonly generate: unknown[];
  readonly decrypt: unknown[];
}

/** A TheoryDb whose KMS client records the operation and KeyId of every request. */
interface Bound {
  readonly db: TheoryDb;
  readonly requests: KmsRequest[];
}

describe('Retired keys: reading under a field’s former keys (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  /** Every error this spec provoked, checked at the end for plaintexts and ciphertexts. */
  const errors: Error[] = [];
  let keyCounter = 0;

  async function newKey(label: string): Promise<Key> {
    keyCounter += 1;
    const alias = `alias/${uniqueTable(`retired-${label}-${keyCounter}`)}`;
    return { alias, arn: await kms.createKey({ alias }) };
  }

  function bind(options: Omit<KmsOptions, 'client'>): Bound {
    const client = kms.client();
    const requests: KmsRequest[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        requests.push({
          operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
          keyId: (args.input as { KeyId?: unknown }).KeyId,
        });
        return next(args);
      },
      { step: 'initialize', name: 'retiredKeysSpecRequests' },
    );
    return { db: new TheoryDb({ dynamodb: dynamo.client, kms: { client, ...options } }), requests };
  }

  /**
   * The KMS requests `run` caused. Only `bound` may talk to LocalKms meanwhile: its own record
   * must agree with LocalKms's counters, so nothing is counted that the client did not send.
   */
  async function measure<T>(bound: Bound, run: () => Promise<T>): Promise<[Measured, T]> {
    kms.resetCalls();
    bound.requests.length = 0;
    const value = await run();
    const of = (operation: string) =>
      bound.requests.filter((r) => r.operation === operation).map((r) => r.keyId);
    const measured: Measured = {
      DescribeKey: kms.calls('DescribeKey'),
      GenerateDataKey: kms.calls('GenerateDataKey'),
      Decrypt: kms.calls('Decrypt'),
      total: kms.calls(),
      describe: of('DescribeKey'),
      generate: of('GenerateDataKey'),
      decrypt: of('Decrypt'),
    };
    expect(bound.requests.length, 'requests sent by this client').to.equal(measured.total);
    expect(measured.describe).to.have.length(measured.DescribeKey);
    expect(measured.generate).to.have.length(measured.GenerateDataKey);
    expect(measured.decrypt).to.have.length(measured.Decrypt);
    return [measured, value];
  }

  /** The EncryptionError `promise` rejects with, checked; kept for the final leak check. */
  async function failure(
    promise: Promise<unknown>,
    expected: { code: EncryptionErrorCode; entity?: string; field?: string; keyArn?: string },
  ): Promise<EncryptionError> {
    const error = await expectEncryptionError(promise, { ...expected, secrets: PLAINTEXTS });
    errors.push(error);
    return error;
  }

  /** The ValidationError `new TheoryDb(...)` throws; kept for the final leak check. */
  function refusal(kmsOptions: unknown): ValidationError {
    const before = kms.calls();
    let thrown: unknown;
    try {
      new TheoryDb({ dynamodb: dynamo.client, kms: kmsOptions as KmsOptions });
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'the construction is refused').to.be.instanceOf(ValidationError);
    const error = thrown as ValidationError;
    expect(error.code).to.equal('VALIDATION');
    expect(error.name).to.equal('ValidationError');
    expect((JSON.parse(JSON.stringify(error)) as { code: string }).code).to.equal('VALIDATION');
    expect(kms.calls(), 'nothing sent to KMS').to.equal(before);
    errors.push(error);
    return error;
  }

  const vault = (owner: string, id: string, n: number) =>
    Object.assign(new Vault(), { owner, id, token: TOKENS[n], recovery: RECOVERY[n] });

  async function rawItem(
    table: string,
    key: Record<string, AttributeValue>,
  ): Promise<Record<string, AttributeValue>> {
    const out = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    expect(out.Item, 'the item is stored').to.not.equal(undefined);
    return out.Item!;
  }

  async function envelopeOf(
    table: string,
    key: Record<string, AttributeValue>,
    attribute: string,
  ): Promise<ParsedEnvelope> {
    const value = (await rawItem(table, key))[attribute]?.B;
    expect(value, `${attribute} is stored as B`).to.be.instanceOf(Uint8Array);
    return parseEnvelope(Buffer.from(value!));
  }

  const vaultKey = (owner: string, id: string) => ({ owner: { S: owner }, id: { S: id } });

  /** The key fingerprint each encrypted attribute of the stored Vault item carries. */
  async function vaultFingerprints(owner: string, id: string): Promise<Buffer[]> {
    const key = vaultKey(owner, id);
    return [
      (await envelopeOf(VAULT_TABLE, key, 'token')).fingerprint,
      (await envelopeOf(VAULT_TABLE, key, 'recovery')).fingerprint,
    ];
  }

  function expectSealedUnder(fingerprints: readonly Buffer[], key: Key): void {
    const expected = keyFingerprint(key.arn).toString('hex');
    expect(fingerprints.map((f) => f.toString('hex'))).to.deep.equal(
      fingerprints.map(() => expected),
    );
  }

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    const setup = new TheoryDb({ dynamodb: dynamo.client });
    for (const target of [Vault, Payment, Note]) await setup.createTable(target);
  });

  describe('a value under the retired key of its binding', () => {
    let A: Key;
    let B: Key;

    before(async () => {
      A = await newKey('a');
      B = await newKey('b');
      const writer = bind({ keyId: A.alias }).db.repository(Vault);
      await writer.save(vault('one', 'v1', 0));
      await writer.save(vault('one', 'v2', 1));
      expectSealedUnder(await vaultFingerprints('one', 'v1'), A);
      expectSealedUnder(await vaultFingerprints('one', 'v2'), A);
    });

    it('reads with one DescribeKey per key and one Decrypt pinned to the retired key ARN; save re-seals it under the current key', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      const [read, found] = await measure(reader, () => repo.find({ owner: 'one', id: 'v1' }));
      const loaded = found ?? expect.fail('find returned undefined');
      expect(loaded).to.be.instanceOf(Vault);
      expect([loaded.token, loaded.recovery, loaded.version]).to.deep.equal([
        TOKENS[0],
        RECOVERY[0],
        1,
      ]);
      // The current key is resolved first, then the retired one the envelope names; both fields
      // share the save's data key, unwrapped once, under A.
      expect(read).to.deep.equal({
        DescribeKey: 2,
        GenerateDataKey: 0,
        Decrypt: 1,
        total: 3,
        describe: [B.alias, A.alias],
        generate: [],
        decrypt: [A.arn],
      });

      const [write] = await measure(reader, () => repo.save(loaded));
      expect(write).to.deep.equal({
        DescribeKey: 0,
        GenerateDataKey: 1,
        Decrypt: 0,
        total: 1,
        describe: [],
        generate: [B.arn],
        decrypt: [],
      });
      expect(loaded.version).to.equal(2);
      expectSealedUnder(await vaultFingerprints('one', 'v1'), B);
      expect((await rawItem(VAULT_TABLE, vaultKey('one', 'v1'))).version?.N).to.equal('2');

      // The migrated value reads under B; the other value, still under A, under A (no second
      // DescribeKey for A: the client resolved it once).
      const [again] = await measure(reader, async () => {
        expect((await repo.get({ owner: 'one', id: 'v1' })).token).to.equal(TOKENS[0]);
        expect((await repo.get({ owner: 'one', id: 'v2' })).token).to.equal(TOKENS[1]);
      });
      expect(again.DescribeKey).to.equal(0);
      expect(again.decrypt).to.deep.equal([B.arn, A.arn]);
    });

    it('a client bound to the new key only reads the migrated item and refuses the other: KEY_NOT_ALLOWED, no Decrypt', async () => {
      // v1 was migrated by the previous test: checked, so a failure there is not reported here.
      expectSealedUnder(await vaultFingerprints('one', 'v1'), B);
      expectSealedUnder(await vaultFingerprints('one', 'v2'), A);
      const current = bind({ keyId: B.alias });
      const repo = current.db.repository(Vault);
      const [migrated] = await measure(current, async () => {
        expect((await repo.get({ owner: 'one', id: 'v1' })).recovery).to.equal(RECOVERY[0]);
      });
      expect(migrated).to.deep.include({ DescribeKey: 1, Decrypt: 1, decrypt: [B.arn] });
      const [refused] = await measure(current, () =>
        failure(repo.find({ owner: 'one', id: 'v2' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Vault',
          field: 'token',
          keyArn: B.arn,
        }),
      );
      expect(refused).to.deep.equal({
        DescribeKey: 0,
        GenerateDataKey: 0,
        Decrypt: 0,
        total: 0,
        describe: [],
        generate: [],
        decrypt: [],
      });
    });

    it('every read path accepts it: get, batchFind, transactFind, query, scan and fromStreamImage', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.arn] } });
      const repo = reader.db.repository(Vault);
      const key = { owner: 'one', id: 'v2' };
      const image = (await rawItem(VAULT_TABLE, vaultKey('one', 'v2'))) as StreamImage;
      const reads: [string, () => Promise<Vault | undefined>][] = [
        ['get', () => repo.get(key)],
        ['batchFind', async () => (await repo.batchFind([key]))[0]],
        ['transactFind', async () => (await reader.db.transactFind([[Vault, key]] as const))[0]],
        [
          'query',
          async () => (await repo.query({ owner: 'one' }).all()).find((v) => v.id === 'v2'),
        ],
        [
          'scan',
          async () =>
            (
              await repo
                .scan()
                .filter((c) => c.eq('owner', 'one'))
                .all()
            ).find((v) => v.id === 'v2'),
        ],
        ['fromStreamImage', () => repo.fromStreamImage(image)],
      ];
      for (const [name, read] of reads) {
        const [measured, found] = await measure(reader, read);
        expect([name, found?.token, found?.recovery]).to.deep.equal([name, TOKENS[1], RECOVERY[1]]);
        expect(measured.generate, name).to.deep.equal([]);
        expect(measured.decrypt, name).to.include(A.arn);
      }
    });

    it('with the data-key cache, a retired data key is cached like any other (one Decrypt, pinned to A)', async () => {
      const reader = bind({
        keyId: B.alias,
        retired: { keyId: [A.alias] },
        cache: { maxAgeMs: 60_000, maxUses: 100 },
      });
      const repo = reader.db.repository(Vault);
      const [measured] = await measure(reader, async () => {
        for (let i = 0; i < 3; i += 1) {
          expect((await repo.get({ owner: 'one', id: 'v2' })).token).to.equal(TOKENS[1]);
        }
      });
      expect(measured).to.deep.include({ DescribeKey: 2, Decrypt: 1, decrypt: [A.arn] });
    });

    it('writes never use a retired key: with the current key disabled, a save fails KMS_KEY_DISABLED and nothing is written', async () => {
      const C = await newKey('c');
      const reader = bind({ keyId: C.alias, retired: { keyId: [A.alias, B.alias] } });
      const repo = reader.db.repository(Vault);
      const loaded = await repo.get({ owner: 'one', id: 'v2' });
      await kms.disableKey(C.arn);
      try {
        const [measured] = await measure(reader, () =>
          failure(repo.save(loaded), {
            code: 'KMS_KEY_DISABLED',
            entity: 'Vault',
            keyArn: C.arn,
          }),
        );
        expect(measured).to.deep.include({ DescribeKey: 0, Decrypt: 0, generate: [C.arn] });
        const [fresh] = await measure(reader, () =>
          failure(repo.save(vault('one', 'never-written', 2)), {
            code: 'KMS_KEY_DISABLED',
            keyArn: C.arn,
          }),
        );
        expect(fresh).to.deep.include({ DescribeKey: 0, Decrypt: 0, generate: [C.arn] });
      } finally {
        await kms.enableKey(C.arn);
      }
      expectSealedUnder(await vaultFingerprints('one', 'v2'), A);
      const absent = await dynamo.client.send(
        new GetItemCommand({
          TableName: VAULT_TABLE,
          Key: vaultKey('one', 'never-written'),
          ConsistentRead: true,
        }),
      );
      expect(absent.Item).to.equal(undefined);
    });
  });

  describe('a page mixing the retired and the current key, and the migration of a table', () => {
    let A: Key;
    let B: Key;
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    /** Which items the writers sealed under A (the others under B). */
    const underA = new Set(['m0', 'm2', 'm3', 'm5']);

    before(async () => {
      A = await newKey('mix-a');
      B = await newKey('mix-b');
      const writerA = bind({ keyId: A.alias }).db.repository(Vault);
      const writerB = bind({ keyId: B.alias }).db.repository(Vault);
      for (const [n, id] of ids.entries()) {
        await (underA.has(id) ? writerA : writerB).save(vault('mix', id, n));
      }
    });

    const expected = () => ids.map((id, n) => [id, TOKENS[n], RECOVERY[n]]);
    const fields = (items: readonly Vault[]) => items.map((v) => [v.id, v.token, v.recovery]);

    it('a query page reads fully: one Decrypt per distinct data key, each pinned to its own key', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      const [measured, page] = await measure(reader, () =>
        repo.query({ owner: 'mix' }).page({ size: 10 }),
      );
      expect(page.cursor).to.equal(undefined);
      expect(fields(page.items)).to.deep.equal(expected());
      // Six saves, six data keys (each shared by the item's two fields): six Decrypts, not 12.
      expect(measured).to.deep.include({ DescribeKey: 2, GenerateDataKey: 0, Decrypt: 6 });
      expect(measured.describe).to.deep.equal([B.alias, A.alias]);
      expect(measured.decrypt).to.deep.equal(ids.map((id) => (underA.has(id) ? A.arn : B.arn)));
    });

    it('pages of a scan and a query in small pages read fully too', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      const sizes: number[] = [];
      const collected: Vault[] = [];
      const [paged] = await measure(reader, async () => {
        let cursor: string | undefined;
        do {
          const page = await repo.query({ owner: 'mix' }).page({ cursor, size: 4 });
          sizes.push(page.items.length);
          collected.push(...page.items);
          cursor = page.cursor;
        } while (cursor !== undefined);
      });
      expect(sizes).to.deep.equal([4, 2]);
      expect(fields(collected)).to.deep.equal(expected());
      expect(paged).to.deep.include({ DescribeKey: 2, Decrypt: 6 });
      const scanned = await repo
        .scan()
        .filter((c) => c.eq('owner', 'mix'))
        .all();
      expect(fields([...scanned].sort((x, y) => x.id.localeCompare(y.id)))).to.deep.equal(
        expected(),
      );
    });

    it('a client bound to the new key only fails the whole page with KEY_NOT_ALLOWED before any Decrypt', async () => {
      const current = bind({ keyId: B.alias });
      const [measured] = await measure(current, () =>
        failure(current.db.repository(Vault).query({ owner: 'mix' }).all(), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Vault',
          field: 'token',
          keyArn: B.arn,
        }),
      );
      expect(measured).to.deep.include({ DescribeKey: 1, GenerateDataKey: 0, Decrypt: 0 });
    });

    it('re-saving every item (scan + save) migrates the table: afterwards the new key alone reads it all', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      // The documented procedure: a scan, and a save of each item (conditional on its @Version).
      const [migration] = await measure(reader, async () => {
        for await (const item of repo.scan().filter((c) => c.eq('owner', 'mix'))) {
          await repo.save(item);
        }
      });
      expect(migration.GenerateDataKey).to.equal(ids.length);
      expect(migration.generate).to.deep.equal(ids.map(() => B.arn));
      expect(migration.decrypt.filter((k) => k === A.arn)).to.have.length(underA.size);
      for (const id of ids) expectSealedUnder(await vaultFingerprints('mix', id), B);

      const current = bind({ keyId: B.alias });
      const [after, items] = await measure(current, () =>
        current.db.repository(Vault).query({ owner: 'mix' }).all(),
      );
      expect(fields(items)).to.deep.equal(expected());
      expect(items.map((v) => v.version)).to.deep.equal(ids.map(() => 2));
      expect(after).to.deep.include({ DescribeKey: 1, GenerateDataKey: 0, Decrypt: 6 });
      expect(after.decrypt).to.deep.equal(ids.map(() => B.arn));
    });

    it('a batch written under the retired key (one data key) reads with one Decrypt and re-seals with one GenerateDataKey', async () => {
      const writer = bind({ keyId: A.alias }).db.repository(Note);
      const notes = NOTES.map((text, i) =>
        Object.assign(new Note(), { owner: 'b', id: `n${i}`, text }),
      );
      await writer.batchSave(notes);
      const keys = notes.map(({ owner, id }) => ({ owner, id }));
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Note);
      const [read, loaded] = await measure(reader, () => repo.batchFind(keys));
      expect(loaded.map((n) => n?.text)).to.deep.equal(NOTES);
      expect(read).to.deep.include({ DescribeKey: 2, Decrypt: 1, decrypt: [A.arn] });
      const [write] = await measure(reader, () => repo.batchSave(loaded as Note[]));
      expect(write).to.deep.include({ DescribeKey: 0, Decrypt: 0, generate: [B.arn] });
      for (const { owner, id } of keys) {
        const envelope = await envelopeOf(
          NOTE_TABLE,
          { owner: { S: owner }, id: { S: id } },
          'text',
        );
        expect(envelope.fingerprint.equals(keyFingerprint(B.arn))).to.equal(true);
      }
      const current = bind({ keyId: B.alias });
      const again = await current.db.repository(Note).batchFind(keys);
      expect(again.map((n) => n?.text)).to.deep.equal(NOTES);
    });
  });

  describe('named keys: each binding has its own retired keys', () => {
    let D1: Key;
    let D2: Key;
    let P1: Key;
    let P2: Key;

    before(async () => {
      [D1, D2, P1, P2] = [
        await newKey('d1'),
        await newKey('d2'),
        await newKey('p1'),
        await newKey('p2'),
      ];
    });

    const payment = (id: string) => Object.assign(new Payment(), { id, email: EMAIL, card: CARD });
    const paymentsReader = () =>
      bind({
        keyId: D2.alias,
        keys: { payments: P2.alias },
        retired: { keyId: [D1.alias], keys: { payments: [P1.alias] } },
      });

    it('reads a payments value under keys.payments’ retired key, with Decrypt pinned to P1, and re-seals it under P2', async () => {
      await bind({ keyId: D1.alias, keys: { payments: P1.alias } })
        .db.repository(Payment)
        .save(payment('old'));
      const reader = paymentsReader();
      const repo = reader.db.repository(Payment);
      const [read, loaded] = await measure(reader, () => repo.get({ id: 'old' }));
      expect([loaded.email, loaded.card]).to.deep.equal([EMAIL, CARD]);
      expect(read.DescribeKey).to.equal(4);
      expect([...read.describe].sort()).to.deep.equal(
        [D1.alias, D2.alias, P1.alias, P2.alias].sort(),
      );
      expect([...read.decrypt].sort()).to.deep.equal([D1.arn, P1.arn].sort());
      const [write] = await measure(reader, () => repo.save(loaded));
      expect([...write.generate].sort()).to.deep.equal([D2.arn, P2.arn].sort());
      const key = { id: { S: 'old' } };
      const email = await envelopeOf(PAYMENT_TABLE, key, 'email');
      const card = await envelopeOf(PAYMENT_TABLE, key, 'card');
      expect(email.fingerprint.toString('hex')).to.equal(keyFingerprint(D2.arn).toString('hex'));
      expect(card.fingerprint.toString('hex')).to.equal(keyFingerprint(P2.arn).toString('hex'));
    });

    it('a payments value under the default binding’s retired key is KEY_NOT_ALLOWED, and that key is not even resolved', async () => {
      // The writer binds payments to D1: what the reader retired for the default key only.
      await bind({ keyId: D2.alias, keys: { payments: D1.alias } })
        .db.repository(Payment)
        .save(payment('cross'));
      const reader = paymentsReader();
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Payment).find({ id: 'cross' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Payment',
          field: 'card',
          keyArn: P2.arn,
        }),
      );
      expect(measured).to.deep.include({ GenerateDataKey: 0, Decrypt: 0 });
      expect([...measured.describe].sort()).to.deep.equal([D2.alias, P2.alias, P1.alias].sort());
    });

    it('a default-key value under the payments binding’s retired key is KEY_NOT_ALLOWED too', async () => {
      await bind({ keyId: P1.alias, keys: { payments: P2.alias } })
        .db.repository(Payment)
        .save(payment('cross-default'));
      const reader = paymentsReader();
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Payment).find({ id: 'cross-default' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Payment',
          field: 'email',
          keyArn: D2.arn,
        }),
      );
      expect(measured).to.deep.include({ GenerateDataKey: 0, Decrypt: 0 });
      // The default binding's retired key D1 is resolved (no match); P1 never is.
      expect([...measured.describe].sort()).to.deep.equal([D2.alias, P2.alias, D1.alias].sort());
    });

    it('one item with both fields under the default binding’s retired key: email reads, card is KEY_NOT_ALLOWED', async () => {
      // Both envelopes carry D1's fingerprint; the match found for email must not serve card.
      await bind({ keyId: D1.alias, keys: { payments: D1.alias } })
        .db.repository(Payment)
        .save(payment('both-d1'));
      const reader = paymentsReader();
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Payment).find({ id: 'both-d1' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Payment',
          field: 'card',
          keyArn: P2.arn,
        }),
      );
      expect(measured).to.deep.include({ GenerateDataKey: 0, Decrypt: 0 });
      expect([...measured.describe].sort()).to.deep.equal(
        [D1.alias, D2.alias, P1.alias, P2.alias].sort(),
      );
      // The same email alone, under D1, reads: the refusal above was the card's.
      await bind({ keyId: D1.alias, keys: { payments: P2.alias } })
        .db.repository(Payment)
        .save(Object.assign(new Payment(), { id: 'email-d1', email: EMAIL }));
      expect((await reader.db.repository(Payment).get({ id: 'email-d1' })).email).to.equal(EMAIL);
    });

    it('retired keys of the default binding do not serve a named key that has none', async () => {
      const reader = bind({
        keyId: D2.alias,
        keys: { payments: P2.alias },
        retired: { keyId: [D1.alias, P1.alias] },
      });
      // 'old' was re-sealed under D2/P2 above; write a fresh one under P1 for payments.
      await bind({ keyId: D2.alias, keys: { payments: P1.alias } })
        .db.repository(Payment)
        .save(payment('named-none'));
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Payment).find({ id: 'named-none' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Payment',
          field: 'card',
          keyArn: P2.arn,
        }),
      );
      expect(measured).to.deep.include({ DescribeKey: 2, Decrypt: 0 });
    });
  });

  describe('a fleet switching keys in two deploys', () => {
    it('the next key may be listed as retired before it becomes current, so old instances read what new ones write', async () => {
      const A = await newKey('fleet-a');
      const B = await newKey('fleet-b');
      // Deploy 1: still writing under A, already reading B. Deploy 2: writing under B, reading A.
      const first = bind({ keyId: A.alias, retired: { keyId: [B.alias] } });
      const second = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      await first.db.repository(Vault).save(vault('fleet', 'by-first', 0));
      await second.db.repository(Vault).save(vault('fleet', 'by-second', 1));
      expectSealedUnder(await vaultFingerprints('fleet', 'by-first'), A);
      expectSealedUnder(await vaultFingerprints('fleet', 'by-second'), B);
      for (const bound of [first, second]) {
        const [measured, items] = await measure(bound, () =>
          bound.db.repository(Vault).query({ owner: 'fleet' }).all(),
        );
        expect(items.map((v) => v.token)).to.deep.equal([TOKENS[0], TOKENS[1]]);
        expect(measured).to.deep.include({ GenerateDataKey: 0, decrypt: [A.arn, B.arn] });
      }
    });
  });

  describe('a value under a key that is neither current nor retired', () => {
    it('fails KEY_NOT_ALLOWED with no Decrypt, alone or in a page of readable items', async () => {
      const A = await newKey('n-a');
      const B = await newKey('n-b');
      const X = await newKey('n-x');
      await bind({ keyId: B.alias })
        .db.repository(Vault)
        .save(vault('neither', 'b', 3));
      await bind({ keyId: X.alias })
        .db.repository(Vault)
        .save(vault('neither', 'x', 4));
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      const [alone] = await measure(reader, () =>
        failure(repo.find({ owner: 'neither', id: 'x' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Vault',
          field: 'token',
          keyArn: B.arn,
        }),
      );
      // Every retired key of the binding is resolved to look for a match; none is X.
      expect(alone).to.deep.equal({
        DescribeKey: 2,
        GenerateDataKey: 0,
        Decrypt: 0,
        total: 2,
        describe: [B.alias, A.alias],
        generate: [],
        decrypt: [],
      });
      const [page] = await measure(reader, () =>
        failure(repo.query({ owner: 'neither' }).all(), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Vault',
          keyArn: B.arn,
        }),
      );
      expect(page).to.deep.include({ total: 0, Decrypt: 0 });
      // The readable item alone still reads.
      expect((await repo.get({ owner: 'neither', id: 'b' })).token).to.equal(TOKENS[3]);
    });
  });

  describe('retired keys are resolved lazily, and fail closed when they cannot serve', () => {
    let A: Key;
    let B: Key;

    before(async () => {
      A = await newKey('lazy-a');
      B = await newKey('lazy-b');
      await bind({ keyId: A.alias })
        .db.repository(Vault)
        .save(vault('lazy', 'a', 5));
      const writerB = bind({ keyId: B.alias }).db.repository(Vault);
      await writerB.save(vault('lazy', 'b1', 6));
      await writerB.save(vault('lazy', 'b2', 7));
    });

    it('a disabled retired key: values under B read with no request for A; values under A fail KMS_KEY_DISABLED', async () => {
      await kms.disableKey(A.arn);
      try {
        const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
        const repo = reader.db.repository(Vault);
        const [current] = await measure(reader, async () => {
          expect((await repo.get({ owner: 'lazy', id: 'b1' })).token).to.equal(TOKENS[6]);
          expect((await repo.get({ owner: 'lazy', id: 'b2' })).token).to.equal(TOKENS[7]);
        });
        expect(current).to.deep.equal({
          DescribeKey: 1,
          GenerateDataKey: 0,
          Decrypt: 2,
          total: 3,
          describe: [B.alias],
          generate: [],
          decrypt: [B.arn, B.arn],
        });
        // DescribeKey answers for a disabled key (as KMS does); Decrypt is refused by KMS.
        const [old] = await measure(reader, () =>
          failure(repo.find({ owner: 'lazy', id: 'a' }), {
            code: 'KMS_KEY_DISABLED',
            entity: 'Vault',
            field: 'token',
            keyArn: A.arn,
          }),
        );
        expect(old).to.deep.include({ describe: [A.alias], decrypt: [A.arn], GenerateDataKey: 0 });
        expect((await repo.get({ owner: 'lazy', id: 'b1' })).token).to.equal(TOKENS[6]);
      } finally {
        await kms.enableKey(A.arn);
      }
      // Not sticky: enabled again, the retired value reads.
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      expect((await reader.db.repository(Vault).get({ owner: 'lazy', id: 'a' })).token).to.equal(
        TOKENS[5],
      );
    });

    it('a retired key pending deletion: values under it fail KMS_KEY_STATE', async () => {
      const doomed = await newKey('doomed');
      await bind({ keyId: doomed.alias })
        .db.repository(Vault)
        .save(vault('lazy', 'doomed', 5));
      await kms.scheduleDeletion(doomed.arn);
      const reader = bind({ keyId: B.alias, retired: { keyId: [doomed.alias] } });
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Vault).find({ owner: 'lazy', id: 'doomed' }), {
          code: 'KMS_KEY_STATE',
          entity: 'Vault',
          keyArn: doomed.arn,
        }),
      );
      expect(measured).to.deep.include({ decrypt: [doomed.arn], GenerateDataKey: 0 });
    });

    it('a retired alias that does not exist: values under B read untouched; a value naming another key fails KMS_KEY_NOT_FOUND, no Decrypt', async () => {
      const missing = `alias/${uniqueTable('retired-never-created')}`;
      const reader = bind({ keyId: B.alias, retired: { keyId: [missing] } });
      const repo = reader.db.repository(Vault);
      const [current] = await measure(reader, async () => {
        const items = await repo
          .query({ owner: 'lazy' })
          .sortKey((k) => k.beginsWith('b'))
          .all();
        expect(items.map((v) => v.token)).to.deep.equal([TOKENS[6], TOKENS[7]]);
      });
      expect(current).to.deep.include({ describe: [B.alias], decrypt: [B.arn, B.arn] });
      // The value names A; the only retired key cannot be resolved, so whether it is A cannot be
      // known: the read fails with the DescribeKey's code, naming the configured id.
      const [old] = await measure(reader, () =>
        failure(repo.find({ owner: 'lazy', id: 'a' }), {
          code: 'KMS_KEY_NOT_FOUND',
          entity: 'Vault',
          field: 'token',
          keyArn: missing,
        }),
      );
      expect(old).to.deep.equal({
        DescribeKey: 1,
        GenerateDataKey: 0,
        Decrypt: 0,
        total: 1,
        describe: [missing],
        generate: [],
        decrypt: [],
      });
    });

    it('retired keys are tried in the configured order and the search stops at the match', async () => {
      const missing = `alias/${uniqueTable('retired-never-created')}`;
      const first = bind({ keyId: B.alias, retired: { keyId: [A.alias, missing] } });
      const [found] = await measure(first, async () => {
        expect((await first.db.repository(Vault).get({ owner: 'lazy', id: 'a' })).token).to.equal(
          TOKENS[5],
        );
      });
      expect(found).to.deep.include({ describe: [B.alias, A.alias], decrypt: [A.arn] });
      // Listed after an id that cannot be resolved, A is never reached: the read fails closed.
      const second = bind({ keyId: B.alias, retired: { keyId: [missing, A.alias] } });
      const [blocked] = await measure(second, () =>
        failure(second.db.repository(Vault).find({ owner: 'lazy', id: 'a' }), {
          code: 'KMS_KEY_NOT_FOUND',
          keyArn: missing,
        }),
      );
      expect(blocked).to.deep.include({ describe: [B.alias, missing], Decrypt: 0 });
    });
  });

  describe('validation at construction: ValidationError (VALIDATION) naming the option', () => {
    const cases: [string, unknown, RegExp][] = [
      [
        'retired a string',
        { keyId: 'alias/app', retired: 'alias/old' },
        /^TheoryDb: kms\.retired must be an object/,
      ],
      [
        'retired null',
        { keyId: 'alias/app', retired: null },
        /^TheoryDb: kms\.retired must be an object/,
      ],
      [
        'retired a number',
        { keyId: 'alias/app', retired: 7 },
        /^TheoryDb: kms\.retired must be an object/,
      ],
      [
        // Refused, though today through Array.prototype.keys ("kms.retired.keys must be an
        // object"): only the option's name is pinned here.
        'retired an array of ids (instead of { keyId: [...] })',
        { keyId: 'alias/app', retired: ['alias/old'] },
        /^TheoryDb: kms\.retired/,
      ],
      [
        'retired.keyId a string',
        { keyId: 'alias/app', retired: { keyId: 'alias/old' } },
        /^TheoryDb: kms\.retired\.keyId must be an array/,
      ],
      [
        'retired.keyId null',
        { keyId: 'alias/app', retired: { keyId: null } },
        /^TheoryDb: kms\.retired\.keyId must be an array/,
      ],
      [
        'retired.keys a string',
        { keyId: 'alias/app', retired: { keys: 'alias/old' } },
        /^TheoryDb: kms\.retired\.keys must be an object/,
      ],
      [
        'retired.keys null',
        { keyId: 'alias/app', retired: { keys: null } },
        /^TheoryDb: kms\.retired\.keys must be an object/,
      ],
      [
        'retired.keys.payments a string',
        { keys: { payments: 'alias/p2' }, retired: { keys: { payments: 'alias/p1' } } },
        /^TheoryDb: kms\.retired\.keys\.payments must be an array/,
      ],
      [
        'an empty retired id',
        { keyId: 'alias/app', retired: { keyId: ['alias/old', ''] } },
        /^TheoryDb: kms\.retired\.keyId must hold non-empty key ids/,
      ],
      [
        'a blank retired id',
        { keyId: 'alias/app', retired: { keyId: ['  '] } },
        /^TheoryDb: kms\.retired\.keyId must hold non-empty key ids/,
      ],
      [
        'a retired id that is not a string',
        { keyId: 'alias/app', retired: { keyId: [42] } },
        /^TheoryDb: kms\.retired\.keyId must hold non-empty key ids/,
      ],
      [
        'an empty named retired id',
        { keys: { payments: 'alias/p2' }, retired: { keys: { payments: [''] } } },
        /^TheoryDb: kms\.retired\.keys\.payments must hold non-empty key ids/,
      ],
      [
        'retired.keyId without kms.keyId',
        { keys: { payments: 'alias/p2' }, retired: { keyId: ['alias/old'] } },
        /^TheoryDb: kms\.retired\.keyId needs a current key in kms\.keyId$/,
      ],
      [
        'an empty retired.keyId without kms.keyId',
        { keys: { payments: 'alias/p2' }, retired: { keyId: [] } },
        /^TheoryDb: kms\.retired\.keyId needs a current key in kms\.keyId$/,
      ],
      [
        'retired.keys.payments without kms.keys.payments',
        { keyId: 'alias/app', retired: { keys: { payments: ['alias/p1'] } } },
        /^TheoryDb: kms\.retired\.keys\.payments needs a current key in kms\.keys\.payments$/,
      ],
      [
        'retired.keys.payments with only another named key bound',
        {
          keyId: 'alias/app',
          keys: { audit: 'alias/audit' },
          retired: { keys: { payments: ['alias/p1'] } },
        },
        /^TheoryDb: kms\.retired\.keys\.payments needs a current key in kms\.keys\.payments$/,
      ],
      [
        'the current default key listed as retired',
        { keyId: 'alias/app', retired: { keyId: ['alias/old', 'alias/app'] } },
        /^TheoryDb: kms\.retired\.keyId holds the current key of its binding$/,
      ],
      [
        'the current named key listed as retired',
        {
          keyId: 'alias/app',
          keys: { payments: 'alias/p2' },
          retired: { keys: { payments: ['alias/p2'] } },
        },
        /^TheoryDb: kms\.retired\.keys\.payments holds the current key of its binding$/,
      ],
    ];
    for (const [label, options, message] of cases) {
      it(`refuses ${label}`, () => {
        const client = kms.client();
        const error = refusal({ client, ...(options as object) });
        expect(error.message).to.match(message);
      });
    }

    it('accepts well-formed lists: empty ones, another binding’s current key, both bindings at once', () => {
      const client = kms.client();
      const before = kms.calls();
      const accepted: Omit<KmsOptions, 'client'>[] = [
        { keyId: 'alias/app', retired: {} },
        { keyId: 'alias/app', retired: { keyId: [] } },
        {
          keyId: 'alias/app',
          keys: { payments: 'alias/p2' },
          retired: { keys: { payments: ['alias/app'] } },
        },
        {
          keyId: 'alias/app',
          keys: { payments: 'alias/p2' },
          retired: { keyId: ['alias/old', 'alias/older'], keys: { payments: ['alias/p1'] } },
        },
      ];
      for (const options of accepted) {
        expect(
          new TheoryDb({ dynamodb: dynamo.client, kms: { client, ...options } }),
        ).to.be.instanceOf(TheoryDb);
      }
      expect(kms.calls()).to.equal(before);
    });
  });

  // Last: mocha runs a suite's own tests before its nested suites, so this one is a suite too.
  describe('what the errors above carry', () => {
    it('no error of this spec holds a plaintext or a ciphertext in any printed form', async () => {
      // Every envelope this spec's tables hold, as the stored bytes and as their secret parts.
      const forms: string[] = [];
      for (const table of [VAULT_TABLE, PAYMENT_TABLE, NOTE_TABLE]) {
        const out = await dynamo.client.send(new ScanCommand({ TableName: table }));
        for (const item of out.Items ?? []) {
          for (const value of Object.values(item)) {
            if (value.B === undefined) continue;
            const stored = Buffer.from(value.B);
            const envelope = parseEnvelope(stored);
            for (const bytes of [stored, envelope.wrappedKey, envelope.ciphertext]) {
              forms.push(bytes.toString('hex'), bytes.toString('base64'));
            }
          }
        }
      }
      expect(forms.length).to.be.greaterThan(60);
      // Errors of every kind this spec provokes were collected (when the whole spec runs).
      expect(errors.length).to.be.greaterThan(0);
      for (const error of errors) {
        expectNoLeak(error, forms);
        expectErrorFreeOf(error, PLAINTEXTS);
      }
    });
  });
});
