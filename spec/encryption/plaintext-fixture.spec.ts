import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  TheoryDb,
  TheoryDbError,
  type Repository,
} from '../../src';
import {
  PlaintextFixtureError,
  plaintextFixture,
  type LocalDynamo,
  type LocalKms,
} from '../../src/testing';
import { recordCommands, recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { expectEncryptionError, rejectionOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// plaintextFixture: exactly the named @Encrypted fields stored in clear, for tests only, and only
// against a loopback DynamoDB.

const SECRET = 'fixture-secret-in-clear-0042';
const OTHER = 'fixture-other-still-encrypted-0043';

@Entity({ table: uniqueTable('enc-fixture'), name: 'FixtureCredential' })
class FixtureCredential {
  @PartitionKey() id!: string;
  @Attribute() owner?: string;
  @Encrypted() secret?: string;
}

@Entity({ table: uniqueTable('enc-fixture-two'), name: 'TwoSecrets' })
class TwoSecrets {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
  @Encrypted() other?: string;
}

describe('plaintextFixture (DynamoDB Local)', function () {
  this.timeout(30_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let keyArn: string;
  const recorders: DynamoRecorder[] = [];

  async function rawItem(table: string, id: string): Promise<Record<string, AttributeValue>> {
    const out = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    expect(out.Item).not.to.equal(undefined);
    return out.Item!;
  }

  function kmsDb(): TheoryDb {
    return new TheoryDb({ dynamodb: dynamo.client, kms: { client: kms.client(), keyId: keyArn } });
  }

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-fixture')}` });
    const setup = new TheoryDb({ dynamodb: dynamo.client });
    await setup.createTable(FixtureCredential);
    await setup.createTable(TwoSecrets);
  });

  after(() => {
    for (const rec of recorders) rec.client.destroy();
  });

  it('stores exactly the named field as a plain S value, without KMS', async () => {
    const rec = await recordingDynamo();
    recorders.push(rec);
    const db = new TheoryDb({ dynamodb: rec.client });
    const fixture = plaintextFixture(db, FixtureCredential, ['secret']);
    const kmsBefore = kms.calls();
    await fixture.save(
      Object.assign(new FixtureCredential(), { id: 'f1', owner: 'o', secret: SECRET }),
    );
    const item = await rawItem(fixture.metadata.table, 'f1');
    expect(item).to.deep.equal({ id: { S: 'f1' }, owner: { S: 'o' }, secret: { S: SECRET } });
    const found = await fixture.get({ id: 'f1' });
    expect(found).to.be.instanceOf(FixtureCredential);
    expect(found.secret).to.equal(SECRET);
    expect(rec.names()).to.deep.equal(['PutItemCommand', 'GetItemCommand']);
    expect(kms.calls()).to.equal(kmsBefore);
  });

  it('stores null as NULL and leaves undefined out', async () => {
    const fixture = plaintextFixture(new TheoryDb({ dynamodb: dynamo.client }), FixtureCredential, [
      'secret',
    ]);
    await fixture.save(Object.assign(new FixtureCredential(), { id: 'f-null', secret: null }));
    expect((await rawItem(fixture.metadata.table, 'f-null')).secret).to.deep.equal({ NULL: true });
    expect((await fixture.get({ id: 'f-null' })).secret).to.equal(null);
    await fixture.save(Object.assign(new FixtureCredential(), { id: 'f-undef' }));
    expect((await rawItem(fixture.metadata.table, 'f-undef')).secret).to.equal(undefined);
  });

  describe('a second encrypted field that is not named', () => {
    it('stays encrypted (sealed in the B envelope __td) when the db has kms', async () => {
      const fixture = plaintextFixture(kmsDb(), TwoSecrets, ['secret']);
      await fixture.save(
        Object.assign(new TwoSecrets(), { id: 't1', secret: SECRET, other: OTHER }),
      );
      const item = await rawItem(fixture.metadata.table, 't1');
      expect(item.secret).to.deep.equal({ S: SECRET });
      expect(item.other, 'no attribute under the encrypted name').to.equal(undefined);
      expect(Object.keys(item.__td)).to.deep.equal(['B']);
      expect(Buffer.from(item.__td.B!).includes(Buffer.from(OTHER))).to.equal(false);
      const found = await fixture.get({ id: 't1' });
      expect([found.secret, found.other]).to.deep.equal([SECRET, OTHER]);
    });

    for (const operation of ['save', 'find'] as const) {
      it(`${operation} fails closed with ENCRYPTION_NOT_CONFIGURED when the db has no kms`, async () => {
        const rec = await recordingDynamo();
        recorders.push(rec);
        const fixture = plaintextFixture(new TheoryDb({ dynamodb: rec.client }), TwoSecrets, [
          'secret',
        ]);
        const run =
          operation === 'save'
            ? fixture.save(
                Object.assign(new TwoSecrets(), { id: 't2', secret: SECRET, other: OTHER }),
              )
            : fixture.find({ id: 't1' });
        await expectEncryptionError(run, {
          code: 'ENCRYPTION_NOT_CONFIGURED',
          entity: 'TwoSecrets',
          field: 'other',
          secrets: [SECRET, OTHER],
        });
        expect(rec.count()).to.equal(0);
      });
    }
  });

  describe('refusals when the fixture is made', () => {
    const db = () => new TheoryDb({ dynamodb: dynamo.client });
    const refusals: [string, () => unknown][] = [
      [
        'a plain (not encrypted) property',
        () => plaintextFixture(db(), FixtureCredential, ['owner']),
      ],
      ['the partition key', () => plaintextFixture(db(), FixtureCredential, ['id'])],
      [
        'an unknown property',
        () => plaintextFixture(db(), FixtureCredential, ['nope' as unknown as 'secret']),
      ],
      [
        'one good and one bad name',
        () => plaintextFixture(db(), FixtureCredential, ['secret', 'owner']),
      ],
      ['an empty list', () => plaintextFixture(db(), FixtureCredential, [])],
      [
        'no list at all',
        () => plaintextFixture(db(), FixtureCredential, undefined as unknown as ['secret']),
      ],
    ];
    for (const [what, make] of refusals) {
      it(`${what}: PlaintextFixtureError (PLAINTEXT_FIXTURE_REFUSED)`, () => {
        let error: unknown;
        try {
          make();
        } catch (caught) {
          error = caught;
        }
        expect(error).to.be.instanceOf(PlaintextFixtureError);
        expect(error).to.be.instanceOf(TheoryDbError);
        expect((error as PlaintextFixtureError).code).to.equal('PLAINTEXT_FIXTURE_REFUSED');
        expect((error as Error).message).to.contain('FixtureCredential');
      });
    }
  });

  describe('refusals of a DynamoDB client that is not on a loopback address', () => {
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
    const clients: [string, () => DynamoDBClient][] = [
      [
        'a private address (10.255.255.1)',
        () =>
          new DynamoDBClient({
            region: 'us-east-1',
            endpoint: 'http://10.255.255.1:8000',
            credentials,
          }),
      ],
      ['no endpoint (AWS itself)', () => new DynamoDBClient({ region: 'us-east-1', credentials })],
      [
        'a name that starts like localhost',
        () =>
          new DynamoDBClient({
            region: 'us-east-1',
            endpoint: 'http://localhost.attacker.example:8000',
            credentials,
          }),
      ],
      [
        'a name that starts like 127.0.0.1',
        () =>
          new DynamoDBClient({
            region: 'us-east-1',
            endpoint: 'http://127.0.0.1.nip.io:8000',
            credentials,
          }),
      ],
    ];
    for (const [what, build] of clients) {
      it(`${what}: every operation refused before anything is sent`, async () => {
        // Blocking: nothing may reach these addresses even if the refusal regressed.
        const rec = recordCommands(build(), { block: true });
        recorders.push(rec);
        const fixture: Repository<FixtureCredential> = plaintextFixture(
          new TheoryDb({ dynamodb: rec.client }),
          FixtureCredential,
          ['secret'],
        );
        const operations: [string, () => Promise<unknown>][] = [
          [
            'save',
            () => fixture.save(Object.assign(new FixtureCredential(), { id: 'x', secret: SECRET })),
          ],
          ['find', () => fixture.find({ id: 'x' })],
          ['get', () => fixture.get({ id: 'x' })],
          ['delete', () => fixture.delete({ id: 'x' })],
        ];
        for (const [name, run] of operations) {
          const error = await rejectionOf(run());
          expect(error, name).to.be.instanceOf(PlaintextFixtureError);
          expect((error as PlaintextFixtureError).code, name).to.equal('PLAINTEXT_FIXTURE_REFUSED');
          expect((error as Error).message).not.to.contain(SECRET);
        }
        expect(rec.count()).to.equal(0);
      });
    }
  });

  describe('fixture data and normal repositories', () => {
    it('a normal repository reading fixture data fails with PLAINTEXT_IN_ENCRYPTED_FIELD, before KMS', async () => {
      const fixture = plaintextFixture(
        new TheoryDb({ dynamodb: dynamo.client }),
        FixtureCredential,
        ['secret'],
      );
      await fixture.save(Object.assign(new FixtureCredential(), { id: 'mixed-1', secret: SECRET }));
      const normal = kmsDb().repository(FixtureCredential);
      kms.resetCalls();
      await expectEncryptionError(normal.find({ id: 'mixed-1' }), {
        code: 'PLAINTEXT_IN_ENCRYPTED_FIELD',
        entity: 'FixtureCredential',
        field: 'secret',
        secrets: [SECRET],
      });
      expect(kms.calls()).to.equal(0);
    });

    it('a fixture reading encrypted data fails rather than returning the envelope', async () => {
      const db = kmsDb();
      await db
        .repository(FixtureCredential)
        .save(Object.assign(new FixtureCredential(), { id: 'mixed-2', secret: SECRET }));
      const fixture = plaintextFixture(db, FixtureCredential, ['secret']);
      kms.resetCalls();
      const error = await rejectionOf(fixture.find({ id: 'mixed-2' }));
      expect(error).to.be.instanceOf(TheoryDbError);
      // v2: the fixture has no envelope to open; it must not load the item as "secret unset".
      await expectEncryptionError(fixture.find({ id: 'mixed-2' }), {
        code: 'ENCRYPTION_NOT_CONFIGURED',
        entity: 'FixtureCredential',
        secrets: [SECRET],
      });
      expect(kms.calls()).to.equal(0);
    });

    it('a fixture reading an envelope that seals a field it stores in clear fails too', async () => {
      const db = kmsDb();
      await db
        .repository(TwoSecrets)
        .save(Object.assign(new TwoSecrets(), { id: 'mixed-4', secret: SECRET, other: OTHER }));
      const fixture = plaintextFixture(db, TwoSecrets, ['secret']);
      // The envelope opens (it seals `other` too), but dropping the sealed `secret` would load it
      // as unset. The error names the opted-out field.
      await expectEncryptionError(fixture.find({ id: 'mixed-4' }), {
        code: 'ENCRYPTION_NOT_CONFIGURED',
        entity: 'TwoSecrets',
        field: 'secret',
        secrets: [SECRET, OTHER],
      });
    });

    it('making a fixture does not change the normal repository of the same db', async () => {
      const db = kmsDb();
      const fixture = plaintextFixture(db, FixtureCredential, ['secret']);
      const normal = db.repository(FixtureCredential);
      expect(normal).not.to.equal(fixture);
      await normal.save(Object.assign(new FixtureCredential(), { id: 'mixed-3', secret: SECRET }));
      const item = await rawItem(normal.metadata.table, 'mixed-3');
      expect(item.secret).to.equal(undefined);
      expect(Object.keys(item.__td)).to.deep.equal(['B']);
      expect((await normal.get({ id: 'mixed-3' })).secret).to.equal(SECRET);
    });
  });
});
