import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  ConditionFailedError,
  type ConditionBuilder,
  type Condition,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  PrimaryKey,
  SortKey,
  TheoryDb,
  TheoryDbError,
  TransactionCanceledError,
  ValidationError,
  Version,
  VersionConflictError,
} from '../../src';
import { parseEnvelope } from '../../src/crypto/envelope';
import type { LocalKms } from '../../src/testing/local-kms';
import { type DynamoRecorder, recordCommands } from '../support/dynamo-recorder';
import { errorTexts, expectErrorFreeOf, expectNoPlaintext } from '../support/leak-check';
import { registerSentinel } from '../support/leak-guard';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Hole 14 of issue 10: every write surface (update, save, delete, the four transaction actions,
// batchSave, batchDelete) checked for the same class of hole as an update with a condition on a
// key: can a condition, an update expression or a returned value write a secret in clear, change
// a key attribute, or carry a value (or a stored secret) into an error? Each test performs the
// attempt against DynamoDB Local + LocalKms and asserts what was sent, stored and thrown.

const SECRET = 'hole14-stored-secret-Vq7m2x';
const NEW_SECRET = 'hole14-new-secret-Lk4d9w';
/** What a caller (or an attacker steering one) compares an encrypted attribute against. */
const GUESS = 'hole14-guessed-secret-Rt8p3z';
const CODES = ['hole14-code-Aa11bb', 'hole14-code-Cc22dd'];
for (const secret of [SECRET, NEW_SECRET, GUESS, ...CODES]) registerSentinel(secret);
const OWNER = 'acct-owner-4e9d1b';
const OTHER_OWNER = 'acct-other-7c3a5f';
const ALL_PLAINTEXTS = [SECRET, NEW_SECRET, GUESS, ...CODES];

const TABLE = uniqueTable('hole-write-conditions');

@Entity({ table: TABLE, name: 'GuardedAccount' })
class Account {
  declare [PrimaryKey]?: 'owner' | 'seq';

  @PartitionKey() owner!: string;
  @SortKey() seq!: number;
  @Attribute() label?: string;
  @Attribute({ type: Array, items: String }) history?: string[];
  @Encrypted() secret?: string;
  @Encrypted() codes?: string[];
  @Version() version?: number;
}

/** The same table and key schema without @Version, for batchSave (which refuses versions). */
@Entity({ table: TABLE, name: 'GuardedNote' })
class Note {
  declare [PrimaryKey]?: 'owner' | 'seq';

  @PartitionKey() owner!: string;
  @SortKey() seq!: number;
  @Encrypted() secret?: string;
}

type Loose = Record<string, unknown>;
type Build = (c: ConditionBuilder<Account>) => Condition;

describe('hole 14: writes cannot change a key, compare or write a secret in clear, or leak into errors', function () {
  this.timeout(60_000);
  let kms: LocalKms;
  let client: DynamoDBClient;
  let recorder: DynamoRecorder;
  let db: TheoryDb;
  let seq = 0;

  before(async () => {
    const dynamo = await sharedDynamo();
    kms = await sharedKms();
    const keyId = await kms.createKey();
    client = dynamo.newClient({ maxAttempts: 1 });
    recorder = recordCommands(client);
    db = new TheoryDb({ dynamodb: client, kms: { client: kms.client(), keyId } });
    await db.createTable(Account);
  });
  beforeEach(() => {
    recorder.clear();
    kms.resetCalls();
  });

  const accounts = () => db.repository(Account);

  /** A fresh stored account (version 1) with a secret, its key, and the stored item as sent. */
  async function stored(owner = OWNER): Promise<{ owner: string; seq: number }> {
    seq += 1;
    const entity = Object.assign(new Account(), {
      owner,
      seq,
      label: 'plain-label',
      history: ['opened'],
      secret: SECRET,
      codes: CODES,
    });
    await accounts().save(entity);
    recorder.clear();
    kms.resetCalls();
    return { owner, seq };
  }

  async function raw(key: { owner: string; seq: number }): Promise<Loose | undefined> {
    const output = await client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { owner: { S: key.owner }, seq: { N: String(key.seq) } },
        ConsistentRead: true,
      }),
    );
    return output.Item;
  }

  /** The error `run` throws or rejects with; fails when it succeeds. */
  async function failureOf(run: () => unknown): Promise<TheoryDbError> {
    try {
      await run();
    } catch (error) {
      expect(error, String((error as Error).name)).to.be.instanceOf(TheoryDbError);
      return error as TheoryDbError;
    }
    return expect.fail('expected the write to be refused, but it succeeded');
  }

  /** Nothing reached DynamoDB, KMS made no data key, and the error holds no plaintext. */
  function expectNothingSent(error: unknown): void {
    expect(recorder.names(), 'DynamoDB commands').to.deep.equal([]);
    expect(kms.calls('GenerateDataKey'), 'GenerateDataKey').to.equal(0);
    expect(kms.calls('Decrypt'), 'Decrypt').to.equal(0);
    expectErrorFreeOf(error, [...ALL_PLAINTEXTS, OWNER, OTHER_OWNER]);
  }

  describe('key attributes cannot be changed', () => {
    const changes: [string, object][] = [
      ['pass the partition key as a change', { owner: OTHER_OWNER }],
      ['set the partition key', { set: { owner: OTHER_OWNER } }],
      ['set the sort key', { set: { seq: 99 } }],
      ['remove the sort key', { remove: ['seq'] }],
      ['add to the sort key', { add: { seq: 1 } }],
      ['append to the partition key', { append: { owner: ['x'] } }],
    ];
    for (const [what, change] of changes) {
      it(`update and tx.update refuse to ${what} (VALIDATION), sending nothing`, async () => {
        const key = await stored();
        const direct = await failureOf(() => accounts().update(key, change));
        const inTx = await failureOf(() =>
          db.transaction((tx) => {
            tx.update(Account, key, change);
          }),
        );
        for (const error of [direct, inTx]) {
          expect(error).to.be.instanceOf(ValidationError);
          expect(error.code).to.equal('VALIDATION');
          expect(error.message).to.match(
            /is a key attribute and cannot be updated|unknown section 'owner'/,
          );
          expectNothingSent(error);
        }
        const item = await raw(key);
        expect(item?.owner).to.deep.equal({ S: key.owner });
        expect(item?.version).to.deep.equal({ N: '1' });
      });
    }

    it('a key object carrying any other property (a secret, say) is refused on every surface', async () => {
      const key = await stored();
      const loaded = { ...key, secret: GUESS };
      const attempts: [string, () => unknown][] = [
        ['update', () => accounts().update(loaded, { set: { label: 'x' } })],
        ['delete', () => accounts().delete(loaded)],
        ['batchDelete', () => accounts().batchDelete([loaded])],
        ['find', () => accounts().find(loaded)],
        [
          'tx.update',
          () => db.transaction((tx) => void tx.update(Account, loaded, { set: { label: 'x' } })),
        ],
        ['tx.delete', () => db.transaction((tx) => void tx.delete(Account, loaded))],
        [
          'tx.check',
          () => db.transaction((tx) => void tx.check(Account, loaded, (c) => c.exists('label'))),
        ],
      ];
      for (const [surface, attempt] of attempts) {
        const error = await failureOf(attempt);
        expect(error, surface).to.be.instanceOf(ValidationError);
        expect(error.message, surface).to.include("'secret' is not a key property");
        expectNothingSent(error);
      }
      expect(await raw(key)).to.not.equal(undefined);
    });
  });

  describe('conditions on encrypted attributes', () => {
    // Every comparison would put its operand in ExpressionAttributeValues, in clear, and compare
    // it with ciphertext: refused with ENCRYPTED_FIELD_NOT_QUERYABLE before anything is sent
    // (an existing code of EncryptionError, documented with the filters that refuse the same).
    const comparisons: [string, Build][] = [
      ['eq', (c) => c.eq('secret', GUESS)],
      ['ne', (c) => c.ne('secret', GUESS)],
      ['lt', (c) => c.lt('secret', GUESS)],
      ['lte', (c) => c.lte('secret', GUESS)],
      ['gt', (c) => c.gt('secret', GUESS)],
      ['gte', (c) => c.gte('secret', GUESS)],
      ['between', (c) => c.between('secret', GUESS, `${GUESS}z`)],
      ['in', (c) => c.in('secret', [GUESS])],
      ['beginsWith', (c) => c.beginsWith('secret', GUESS)],
      ['contains', (c) => c.contains('secret', GUESS)],
      ['contains on an encrypted list', (c) => c.contains('codes', GUESS)],
      ['size', (c) => c.size('secret').eq(GUESS.length)],
      ['not(eq)', (c) => c.not(c.eq('secret', GUESS))],
      ['and(exists, eq)', (c) => c.and(c.exists('secret'), c.eq('secret', GUESS))],
      ['or(plain, eq)', (c) => c.or(c.eq('label', 'x'), c.eq('secret', GUESS))],
      // Format v2: whether an encrypted field is set is sealed in the item's envelope too, and
      // DynamoDB cannot see it: exists / notExists are refused like every comparison.
      ['exists', (c) => c.exists('secret')],
      ['notExists', (c) => c.notExists('codes')],
      ['or(plain, notExists)', (c) => c.or(c.exists('label'), c.notExists('secret'))],
    ];
    const surfaces: [string, (key: { owner: string; seq: number }, build: Build) => unknown][] = [
      [
        'update',
        (key, build) => accounts().update(key, { set: { label: 'x' } }, { condition: build }),
      ],
      [
        'save',
        (key, build) =>
          accounts().save(Object.assign(new Account(), { ...key, version: 1 }), {
            condition: build,
          }),
      ],
      ['delete', (key, build) => accounts().delete(key, { condition: build })],
      [
        'tx.update',
        (key, build) =>
          db.transaction((tx) => {
            tx.update(Account, key, { set: { label: 'x' } }, { condition: build });
          }),
      ],
      [
        'tx.save',
        (key, build) =>
          db.transaction((tx) => {
            tx.save(Object.assign(new Account(), { ...key, version: 1, secret: NEW_SECRET }), {
              condition: build,
            });
          }),
      ],
      [
        'tx.delete',
        (key, build) =>
          db.transaction((tx) => {
            tx.delete(Account, key, { condition: build });
          }),
      ],
      [
        'tx.check',
        (key, build) =>
          db.transaction((tx) => {
            tx.check(Account, key, build);
          }),
      ],
    ];
    for (const [surface, write] of surfaces) {
      it(`${surface}: every comparison of an encrypted attribute is refused, nothing sent`, async () => {
        const key = await stored();
        for (const [kind, build] of comparisons) {
          const error = await failureOf(() => write(key, build));
          expect(error, `${surface} ${kind}`).to.be.instanceOf(EncryptionError);
          expect(error.code, `${surface} ${kind}`).to.equal('ENCRYPTED_FIELD_NOT_QUERYABLE');
          expect((error as EncryptionError).field).to.be.oneOf(['secret', 'codes']);
          expect((error as EncryptionError).entity).to.equal('GuardedAccount');
          expectNothingSent(error);
          expectNoPlaintext(recorder.bodies(), GUESS, 'a request body');
        }
        const item = await raw(key);
        expect(item?.version, 'nothing was written').to.deep.equal({ N: '1' });
      });
    }
  });

  describe('update expressions', () => {
    it('set of an encrypted attribute is sealed for the item, null included, never written in clear', async () => {
      const key = await stored();
      // Format v2: the values are sealed in the item's one envelope (`__td`), re-sealed by each
      // update; nothing is stored under an encrypted field's name.
      const before = (await raw(key))?.__td as { B: Uint8Array };
      const updated = await accounts().update(key, { set: { secret: NEW_SECRET, codes: ['c'] } });
      expect(updated.secret).to.equal(NEW_SECRET);
      let item = await raw(key);
      expect(item).to.not.have.any.keys('secret', 'codes');
      expect(Object.keys(item?.__td as object)).to.deep.equal(['B']);
      const first = (item?.__td as { B: Uint8Array }).B;
      expect(Buffer.from(first).equals(Buffer.from(before.B)), 're-sealed').to.equal(false);
      expect(await accounts().get(key)).to.include({ secret: NEW_SECRET });
      expect((await accounts().get(key)).codes).to.deep.equal(['c']);
      await accounts().update(key, { set: { secret: null } });
      item = await raw(key);
      // A null is a typed plaintext like any other: sealed, not a NULL in clear.
      expect(item).to.not.have.any.keys('secret', 'codes');
      expect(Object.keys(item?.__td as object)).to.deep.equal(['B']);
      const second = (item?.__td as { B: Uint8Array }).B;
      expect(Buffer.from(second).equals(Buffer.from(first)), 're-sealed').to.equal(false);
      expect((await accounts().get(key)).secret).to.equal(null);
      for (const secret of ALL_PLAINTEXTS) {
        expectNoPlaintext(recorder.bodies(), secret, 'a request body');
      }
    });

    it('add and append on encrypted attributes are refused (ENCRYPTED_FIELD_NOT_QUERYABLE), nothing sent', async () => {
      const key = await stored();
      const attempts: object[] = [
        { add: { secret: 1 } },
        { add: { codes: new Set([GUESS]) } },
        { append: { codes: [GUESS] } },
      ];
      for (const change of attempts) {
        for (const error of [
          await failureOf(() => accounts().update(key, change)),
          await failureOf(() =>
            db.transaction((tx) => void tx.update(Account, key, change as never)),
          ),
        ]) {
          expect(error).to.be.instanceOf(EncryptionError);
          expect(error.code).to.equal('ENCRYPTED_FIELD_NOT_QUERYABLE');
          expectNothingSent(error);
        }
      }
    });

    it('has no expression functions: expression text in values is stored as data, unknown sections and paths refused', async () => {
      const key = await stored();
      const text = 'if_not_exists(#secret, :v0), secret = list_append(secret, :v1)';
      await accounts().update(key, { set: { label: text }, append: { history: [text] } });
      const input = recorder.commands[0].input as Loose;
      expect(input.UpdateExpression).to.match(
        /^SET (#n\d+ = (:v\d+|list_append\(if_not_exists\(#n\d+, :v\d+\), :v\d+\))(, )?)+( ADD #n\d+ :v\d+)?$/,
      );
      const item = await raw(key);
      expect(item?.label).to.deep.equal({ S: text });
      // Format v2: the secret stays sealed in the envelope; no attribute under its name appeared.
      expect(item).to.not.have.property('secret');
      expect(Object.keys(item?.__td as object)).to.deep.equal(['B']);
      expect((await accounts().get(key)).secret).to.equal(SECRET);
      recorder.clear();
      kms.resetCalls();
      const refusals: object[] = [
        { expression: 'SET secret = :v' },
        { set: { 'secret, #n0': 'x' } },
        { set: { 'label.secret': 'x' } },
      ];
      for (const change of refusals) {
        const error = await failureOf(() => accounts().update(key, change));
        expect(error).to.be.instanceOf(ValidationError);
        expectNothingSent(error);
      }
    });

    it("returns only 'allNew' or 'none': other ReturnValues are refused (VALIDATION), nothing sent", async () => {
      const key = await stored();
      for (const returnValues of ['allOld', 'updatedOld', 'ALL_OLD', 'UPDATED_NEW']) {
        const error = await failureOf(() =>
          accounts().update(key, { set: { label: 'x' } }, { returnValues } as never),
        );
        expect(error).to.be.instanceOf(ValidationError);
        expectNothingSent(error);
      }
    });
  });

  describe('a condition on a key attribute', () => {
    it('cannot redirect, create or delete another item: it only decides whether the keyed item is written', async () => {
      const key = await stored();
      const other = { owner: OTHER_OWNER, seq: key.seq };
      const redirected = await failureOf(() =>
        accounts().update(
          key,
          { set: { label: 'moved' } },
          {
            condition: (c) => c.eq('owner', OTHER_OWNER),
          },
        ),
      );
      expect(redirected).to.be.instanceOf(ConditionFailedError);
      const created = await failureOf(() =>
        accounts().update(
          other,
          { set: { label: 'new' } },
          {
            condition: (c) => c.or(c.notExists('owner'), c.exists('owner')),
          },
        ),
      );
      expect(created).to.be.instanceOf(ConditionFailedError);
      const deleted = await failureOf(() =>
        accounts().delete(key, { condition: (c) => c.ne('seq', key.seq) }),
      );
      expect(deleted).to.be.instanceOf(ConditionFailedError);
      const checked = await failureOf(() =>
        db.transaction((tx) => {
          tx.check(Account, key, (c) => c.beginsWith('owner', OTHER_OWNER));
          tx.update(Account, { ...key, seq: key.seq + 2000 }, { set: { label: 'tx' } });
        }),
      );
      expect(checked).to.be.instanceOf(TransactionCanceledError);
      expect(await raw(other), 'no item was created at another key').to.equal(undefined);
      const item = await raw(key);
      expect(item?.label).to.deep.equal({ S: 'plain-label' });
      expect(item?.version).to.deep.equal({ N: '1' });

      const kept = await accounts().update(
        key,
        { set: { label: 'kept' } },
        {
          condition: (c) => c.and(c.eq('owner', key.owner), c.eq('seq', key.seq)),
        },
      );
      expect([kept.owner, kept.seq, kept.label]).to.deep.equal([key.owner, key.seq, 'kept']);
      expect(kept.secret).to.equal(SECRET);
    });

    it('values that do not fit a key or a condition are refused without echoing them', async () => {
      const key = await stored();
      const number = 987_654_321_012;
      const attempts: [string, () => unknown][] = [
        [
          'key condition type',
          () => accounts().delete(key, { condition: (c) => c.eq('seq', 'x' as never) }),
        ],
        [
          'plain condition type',
          () =>
            accounts().update(
              key,
              { set: { label: 'x' } },
              { condition: (c) => c.eq('label', number as never) },
            ),
        ],
        ['encrypted set type', () => accounts().update(key, { set: { secret: number as never } })],
        ['plain set type', () => accounts().update(key, { set: { label: number as never } })],
        [
          'key type',
          () => accounts().update({ owner: number as never, seq: 1 }, { set: { label: 'x' } }),
        ],
      ];
      for (const [what, attempt] of attempts) {
        const error = await failureOf(attempt);
        expect(error, what).to.be.instanceOf(ValidationError);
        for (const text of Object.values(errorTexts(error))) {
          expect(text, what).to.not.include(String(number));
        }
        expectNothingSent(error);
      }
    });
  });

  describe('the stored item returned with a failed condition', () => {
    /**
     * Printed forms of the item's stored envelope (format v2: one per item, `__td`, sealing
     * `secret` and `codes`): base64, hex, and the byte list, of the whole and of its ciphertext.
     */
    async function storedEnvelopeForms(key: { owner: string; seq: number }): Promise<string[]> {
      const item = await raw(key);
      recorder.clear();
      const bytes = Buffer.from((item?.__td as { B: Uint8Array }).B);
      const body = parseEnvelope(bytes).ciphertext.subarray(0, 32);
      expect(body.length).to.equal(32);
      return [
        bytes.toString('base64'),
        body.toString('base64').slice(4, -4),
        body.toString('hex'),
        [...body.subarray(0, 12)].join(', '),
        [...body.subarray(0, 12)].join(','),
      ];
    }

    function expectFreeOfItem(error: unknown, forms: readonly string[]): void {
      for (const [where, text] of Object.entries(errorTexts(error))) {
        for (const form of forms) expect(text.includes(form), `error ${where}`).to.equal(false);
        for (const value of [OWNER, ...ALL_PLAINTEXTS]) {
          expectNoPlaintext(text, value, `error ${where}`);
        }
      }
    }

    it('update and save ask for it (ALL_OLD) to classify the failure, and drop it from the error', async () => {
      const key = await stored();
      const forms = await storedEnvelopeForms(key);
      const stale = await failureOf(() =>
        accounts().update(
          key,
          { set: { label: 'x' } },
          {
            expectedVersion: 7,
            condition: (c) => c.eq('label', 'plain-label'),
          },
        ),
      );
      expect(stale).to.be.instanceOf(VersionConflictError);
      const wrong = await failureOf(() =>
        accounts().update(
          key,
          { set: { label: 'x' } },
          {
            expectedVersion: 1,
            condition: (c) => c.eq('label', 'other'),
          },
        ),
      );
      expect(wrong).to.be.instanceOf(ConditionFailedError);
      const staleSave = await failureOf(() =>
        accounts().save(Object.assign(new Account(), { ...key, version: 5, secret: NEW_SECRET }), {
          condition: (c) => c.exists('label'),
        }),
      );
      expect(staleSave).to.be.instanceOf(VersionConflictError);
      const asked = recorder.commands.map(
        (c) => (c.input as Loose).ReturnValuesOnConditionCheckFailure,
      );
      expect(asked).to.deep.equal(['ALL_OLD', 'ALL_OLD', 'ALL_OLD']);
      for (const error of [stale, wrong, staleSave]) {
        expect((error.cause as Loose).Item).to.equal(undefined);
        expectFreeOfItem(error, forms);
      }
    });

    it('a cancelled transaction drops every returned item from its reasons and its cause', async () => {
      const key = await stored();
      const forms = await storedEnvelopeForms(key);
      const error = await failureOf(() =>
        db.transaction((tx) => {
          tx.update(
            Account,
            key,
            { set: { label: 'x' } },
            {
              expectedVersion: 9,
              condition: (c) => c.exists('label'),
            },
          );
          tx.save(
            Object.assign(new Account(), { owner: OWNER, seq: key.seq + 5000, secret: NEW_SECRET }),
          );
        }),
      );
      expect(error).to.be.instanceOf(TransactionCanceledError);
      const reasons = (error as TransactionCanceledError).reasons;
      expect(reasons.map((r) => r.code)).to.deep.equal(['VERSION_CONFLICT', 'NONE']);
      const cause = error.cause as { CancellationReasons?: Loose[] };
      expect(cause.CancellationReasons?.map((r) => r.Item)).to.deep.equal([undefined, undefined]);
      expectFreeOfItem(error, forms);
    });
  });

  describe('a Condition given as a value (not built with the builder)', () => {
    // `Condition` is an exported type and every write (and filter) accepts one as a plain value,
    // so it may come from JSON. Its operator and kind were interpolated into the expression
    // unchecked: an operator can close its clause's parenthesis and OR away theorydb's own
    // clauses (the version check, ifNotExists, an update's existence check, an application's
    // filter), or name an attribute raw, an encrypted one included, past the resolver.
    const forged = (shape: Loose) => shape as unknown as Condition;

    it('an operator that breaks out of its clause cannot bypass the version check of a save', async () => {
      const key = await stored();
      await accounts().update(key, { set: { label: 'newer' } });
      recorder.clear();
      kms.resetCalls();
      const stale = Object.assign(new Account(), { ...key, version: 1, label: 'stale' });
      // save renders the caller's condition first (#n0 = label, :v0), then the version check.
      const breakout = forged({
        kind: 'compare',
        op: '= :v0) OR (attribute_exists(#n0)) OR (#n0 =',
        path: 'label',
        value: 'x',
      });
      const error = await failureOf(() => accounts().save(stale, { condition: breakout }));
      expect(error).to.be.instanceOf(ValidationError);
      expect(error.code).to.equal('VALIDATION');
      expect(error.message).to.not.include('attribute_exists');
      expectNothingSent(error);
      const item = await raw(key);
      expect(item?.label, 'the newer write survived').to.deep.equal({ S: 'newer' });
      expect(item?.version).to.deep.equal({ N: '2' });
    });

    it('an operator cannot name an encrypted attribute raw and compare it with a plaintext', async () => {
      const key = await stored();
      const raw = forged({
        kind: 'compare',
        op: '<> :v0 OR secret =',
        path: 'label',
        value: GUESS,
      });
      const surfaces: [string, () => unknown][] = [
        ['update', () => accounts().update(key, { set: { label: 'x' } }, { condition: raw })],
        ['delete', () => accounts().delete(key, { condition: raw })],
        ['tx.check', () => db.transaction((tx) => void tx.check(Account, key, raw))],
      ];
      for (const [surface, attempt] of surfaces) {
        const error = await failureOf(attempt);
        expect(error, surface).to.be.instanceOf(ValidationError);
        expectNothingSent(error);
        expectNoPlaintext(recorder.bodies(), GUESS, `a ${surface} request body`);
      }
    });

    it("an operator that breaks out of a filter cannot read another owner's items", async () => {
      await stored(OTHER_OWNER);
      const breakout = forged({
        kind: 'compare',
        op: '= :v1) OR (attribute_exists(#n0)) OR (#n1 =',
        path: 'label',
        value: 'x',
      });
      // The application's own filter first (#n0 = owner, :v0), then the caller's.
      const read = accounts()
        .scan()
        .filter((c) => c.eq('owner', OWNER))
        .filter(breakout);
      let rows: Account[] | undefined;
      const error = await failureOf(async () => {
        rows = await read.all();
      }).catch((failure: unknown) => {
        const others = (rows ?? []).filter((row) => row.owner === OTHER_OWNER);
        const decrypted = others.filter((row) => row.secret === SECRET).length;
        throw new Error(
          `${String(failure)}; the scan returned ${others.length} item(s) of another owner, ${decrypted} with the secret decrypted`,
        );
      });
      expect(error).to.be.instanceOf(ValidationError);
      expectNothingSent(error);
    });

    it('unknown kinds and malformed nodes are refused before anything is sent, on every surface', async () => {
      const key = await stored();
      const shapes: Loose[] = [
        { kind: 'raw', expression: 'attribute_exists(secret)' },
        { kind: 'size', op: '> :v0 OR secret <>', path: 'label', value: 1 },
        { kind: 'and', conditions: 'attribute_exists(secret)' },
        { kind: 'or', conditions: [] },
        { kind: 'in', path: 'label', values: 'x' },
        { kind: 'not', condition: 'secret' },
        { kind: 'compare', op: '=', path: ['secret'], value: GUESS },
        { kind: 'exists', path: { toString: () => 'secret' } },
      ];
      for (const shape of shapes) {
        for (const [surface, attempt] of [
          [
            'update',
            () => accounts().update(key, { set: { label: 'x' } }, { condition: forged(shape) }),
          ],
          [
            'save',
            () =>
              accounts().save(Object.assign(new Account(), { ...key, version: 1 }), {
                condition: forged(shape),
              }),
          ],
          ['delete', () => accounts().delete(key, { condition: forged(shape) })],
          ['tx.check', () => db.transaction((tx) => void tx.check(Account, key, forged(shape)))],
          ['scan filter', () => accounts().scan().filter(forged(shape)).all()],
        ] as [string, () => unknown][]) {
          const error = await failureOf(attempt);
          expect(error, `${surface} ${String(shape.kind)}`).to.be.instanceOf(ValidationError);
          expectNothingSent(error);
        }
      }
      expect((await raw(key))?.version).to.deep.equal({ N: '1' });
    });

    it('a sort-key condition of an unknown kind is refused before a query is sent', async () => {
      for (const kind of ['toString', 'constructor', '__proto__', 'ne']) {
        const error = await failureOf(() =>
          accounts()
            .query({ owner: OWNER })
            .sortKey(() => ({ kind, value: 1 }) as never)
            .all(),
        );
        expect(error, kind).to.be.instanceOf(ValidationError);
        expectNothingSent(error);
      }
    });
  });

  describe('batch writes', () => {
    it('batchSave seals encrypted values, takes no condition, and refuses versioned entities', async () => {
      const notes = db.repository(Note);
      seq += 1;
      await notes.batchSave([Object.assign(new Note(), { owner: OWNER, seq, secret: NEW_SECRET })]);
      const item = await raw({ owner: OWNER, seq });
      // Format v2: sealed in the item's envelope, nothing stored under the field's name.
      expect(item).to.not.have.property('secret');
      expect(Object.keys(item?.__td as object)).to.deep.equal(['B']);
      expect((await notes.get({ owner: OWNER, seq })).secret).to.equal(NEW_SECRET);
      const [request] = recorder.commands;
      await notes.batchDelete([{ owner: OWNER, seq }]);
      expect(request.name).to.equal('BatchWriteItemCommand');
      expect(JSON.stringify(request.input)).to.not.match(/Condition|ReturnValues/);
      for (const secret of ALL_PLAINTEXTS) {
        expectNoPlaintext(recorder.bodies(), secret, 'a request body');
      }
      recorder.clear();
      kms.resetCalls();
      const versioned = await failureOf(() =>
        accounts().batchSave([
          Object.assign(new Account(), { owner: OWNER, seq: 1, secret: GUESS }),
        ]),
      );
      expect(versioned).to.be.instanceOf(ValidationError);
      expectNothingSent(versioned);
    });
  });
});
