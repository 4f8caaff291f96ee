import { expect } from 'chai';
import { Attribute, Encrypted, Entity, PartitionKey, TheoryDb, ValidationError } from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { recordCommands, type DynamoRecorder } from '../support/dynamo-recorder';
import { expectErrorFreeOf, expectNoPlaintext, rejectionOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Hole 3 of issue 10: `db.repository(Credential).save(credentialV2)`, where CredentialV2 extends
// Credential and encrypts a property the base stores in clear (or adds one), wrote that property
// in clear: the repository checked `instanceof` only, then mapped the instance with the BASE's
// metadata. A repository must write only instances of exactly its own class.

const TABLE = uniqueTable('hole-subclass');
const NOTE = 'subclass-note-must-never-be-stored-in-clear-3131';
const PIN = 'subclass-pin-must-never-be-stored-in-clear-3232';
const SECRET = 'subclass-secret-base-encrypted-3333';
const SECRETS = [NOTE, PIN, SECRET];

@Entity({ table: TABLE, name: 'SubclassCredential' })
class Credential {
  @PartitionKey() id!: string;
  @Attribute() note?: string;
  @Encrypted() secret?: string;
}

/** Encrypts `note`, which the base stores in clear, and adds an encrypted `pin`. */
@Entity({ table: TABLE, name: 'SubclassCredentialV2' })
class CredentialV2 extends Credential {
  @Encrypted() override note?: string;
  @Encrypted() pin?: string;
}

/** No @Entity of its own: whatever metadata it gets, the base repository must not write it. */
class CredentialV3 extends Credential {
  @Encrypted() override note?: string;
}

/** Its prototype's `constructor` is pointed at Credential by one test. */
@Entity({ table: TABLE, name: 'SubclassRedirected' })
class Redirected extends Credential {
  @Encrypted() override note?: string;
}

/** Same shape as Credential, no relation to it. */
class LookAlike {
  id!: string;
  note?: string;
  secret?: string;
}

type Loose = Record<string, unknown>;

function v2(id: string): CredentialV2 {
  return Object.assign(new CredentialV2(), { id, note: NOTE, pin: PIN, secret: SECRET });
}

function expectBodiesFree(recorder: DynamoRecorder): void {
  for (const secret of SECRETS) expectNoPlaintext(recorder.bodies(), secret, 'request bodies');
}

function expectRefused(error: unknown): ValidationError {
  expect(error, String(error)).to.be.instanceOf(ValidationError);
  const failure = error as ValidationError;
  expect(failure.code).to.equal('VALIDATION');
  expect(failure.entity).to.equal('Credential');
  expectErrorFreeOf(failure, SECRETS);
  return failure;
}

describe('hole 3: a repository writes only instances of exactly its class', function () {
  this.timeout(60_000);
  let kms: LocalKms;
  let recorder: DynamoRecorder;
  let db: TheoryDb;

  before(async () => {
    const dynamo = await sharedDynamo();
    kms = await sharedKms();
    const keyId = await kms.createKey();
    recorder = recordCommands(dynamo.newClient({ maxAttempts: 1 }));
    db = new TheoryDb({ dynamodb: recorder.client, kms: { client: kms.client(), keyId } });
    await db.createTable(Credential);
  });

  beforeEach(() => {
    recorder.clear();
    kms.resetCalls();
  });

  it('save of a subclass instance with its own @Entity is refused before anything is sent', async () => {
    const error = await rejectionOf(db.repository(Credential).save(v2('s1')));
    const failure = expectRefused(error);
    expect(failure.message).to.contain('CredentialV2');
    expectBodiesFree(recorder);
    expect(recorder.count()).to.equal(0);
    expect(kms.calls()).to.equal(0);
  });

  it('save of a subclass instance without an @Entity of its own is refused', async () => {
    const entity = Object.assign(new CredentialV3(), { id: 's2', note: NOTE, secret: SECRET });
    expectRefused(await rejectionOf(db.repository(Credential).save(entity)));
    expectBodiesFree(recorder);
    expect(recorder.count()).to.equal(0);
    expect(kms.calls()).to.equal(0);
  });

  it('save of an object whose prototype only pretends to be the class is refused', async () => {
    // Same constructor reported, different prototype: only the prototype decides.
    const forged = Object.assign(new CredentialV2(), { id: 's3', note: NOTE, pin: PIN });
    Object.defineProperty(forged, 'constructor', { value: Credential });
    expectRefused(await rejectionOf(db.repository(Credential).save(forged)));
    const lookAlike = Object.assign(new LookAlike(), { id: 's4', note: NOTE, secret: SECRET });
    expectRefused(await rejectionOf(db.repository(Credential).save(lookAlike)));
    const plain = { id: 's5', note: NOTE, secret: SECRET };
    expectRefused(await rejectionOf(db.repository(Credential).save(plain)));
    expectBodiesFree(recorder);
    expect(recorder.count()).to.equal(0);
  });

  it('batchSave with one subclass instance among base instances writes nothing', async () => {
    const base = Object.assign(new Credential(), { id: 'b1', note: 'plain note', secret: SECRET });
    const error = await rejectionOf(db.repository(Credential).batchSave([base, v2('b2')]));
    const failure = expectRefused(error);
    expect(failure.message).to.contain('entities[1]');
    expectBodiesFree(recorder);
    expect(recorder.count('BatchWriteItemCommand')).to.equal(0);
    expect(recorder.count()).to.equal(0);
    expect(kms.calls()).to.equal(0);
  });

  it("a transaction refuses an instance whose class's prototype.constructor names the base", async () => {
    const entity = Object.assign(new Redirected(), { id: 't1', note: NOTE, secret: SECRET });
    const own = Object.getOwnPropertyDescriptor(Redirected.prototype, 'constructor')!;
    Object.defineProperty(Redirected.prototype, 'constructor', { ...own, value: Credential });
    try {
      const error = await rejectionOf(
        db.transaction((tx) => {
          tx.save(entity);
        }),
      );
      expectRefused(error);
    } finally {
      Object.defineProperty(Redirected.prototype, 'constructor', own);
    }
    expectBodiesFree(recorder);
    expect(recorder.count('TransactWriteItemsCommand')).to.equal(0);
    expect(recorder.count()).to.equal(0);
  });

  it('a transaction saves a subclass instance with its own metadata, whatever its constructor property says', async () => {
    // Not a hole: tx.save resolves the repository of the instance's exact class, from its
    // prototype. An own `constructor` property pointing at the base must not change that.
    const forged = v2('t2');
    Object.defineProperty(forged, 'constructor', { value: Credential });
    await db.transaction((tx) => {
      tx.save(v2('t3'));
      tx.save(forged);
    });
    expectBodiesFree(recorder);
    expect(recorder.count('TransactWriteItemsCommand')).to.equal(1);
    for (const id of ['t2', 't3']) {
      const found = await db.repository(CredentialV2).get({ id });
      expect(found).to.be.instanceOf(CredentialV2);
      expect([found.note, found.pin, found.secret]).to.deep.equal([NOTE, PIN, SECRET]);
    }
  });

  it('update refuses a subclass instance as its changes, and properties the base does not know', async () => {
    const repo = db.repository(Credential);
    await repo.save(Object.assign(new Credential(), { id: 'u1', note: 'before' }));
    recorder.clear();
    const set = Object.assign(new CredentialV2(), { note: NOTE });
    expectRefused(await rejectionOf(repo.update({ id: 'u1' }, { set })));
    const unknown = { set: { pin: PIN } } as Loose;
    expectRefused(await rejectionOf(repo.update({ id: 'u1' }, unknown)));
    expectRefused(await rejectionOf(repo.update(v2('u1'), { set: { note: 'after' } })));
    expectRefused(
      await rejectionOf(
        db.transaction((tx) => {
          tx.update(Credential, { id: 'u1' }, { set });
        }),
      ),
    );
    expectBodiesFree(recorder);
    expect(recorder.count('UpdateItemCommand')).to.equal(0);
    expect(recorder.count('TransactWriteItemsCommand')).to.equal(0);
    expect((await repo.get({ id: 'u1' })).note).to.equal('before');
  });

  it('reads construct the repository class, never a subclass', async () => {
    await db.repository(Credential).save(Object.assign(new Credential(), { id: 'r1' }));
    const found = await db.repository(Credential).get({ id: 'r1' });
    expect(Object.getPrototypeOf(found)).to.equal(Credential.prototype);
    const [listed] = await db.repository(Credential).batchFind([{ id: 'r1' }]);
    expect(Object.getPrototypeOf(listed)).to.equal(Credential.prototype);
  });
});
