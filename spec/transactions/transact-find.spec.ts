import { expect } from 'chai';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  ValidationError,
} from '../../src';

type Equal<A, B> =
  (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
import type { LocalKms } from '../../src/testing/local-kms';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { sharedKms, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('tf-users'), name: 'User' })
class User {
  @PartitionKey() id!: string;
  @Attribute() name?: string;
  @Encrypted() email?: string;
}

@Entity({ table: uniqueTable('tf-orders'), name: 'Order' })
class Order {
  @PartitionKey() userId!: string;
  @SortKey() orderId!: string;
  @Attribute() total?: number;
  @Encrypted() card?: string;
}

describe('db.transactFind (DynamoDB Local + LocalKms)', () => {
  let kms: LocalKms;
  let recorder: DynamoRecorder;
  let db: TheoryDb;

  before(async () => {
    kms = await sharedKms();
    const keyArn = await kms.createKey({ alias: `alias/tf-${process.pid}` });
    recorder = await recordingDynamo();
    db = new TheoryDb({ dynamodb: recorder.client, kms: { client: kms.client(), keyId: keyArn } });
    await Promise.all([db.createTable(User), db.createTable(Order)]);
    const users = db.repository(User);
    const orders = db.repository(Order);
    for (const id of ['u1', 'u2']) {
      await users.save(
        Object.assign(new User(), { id, name: `name ${id}`, email: `${id}@example.com` }),
      );
    }
    await orders.save(
      Object.assign(new Order(), { userId: 'u1', orderId: 'o1', total: 12, card: '4111-1' }),
    );
  });

  beforeEach(() => recorder.clear());

  it('types each result from its class, with or without `as const`', async () => {
    const results = await db.transactFind([
      [User, { id: 'u1' }],
      [Order, { userId: 'u1', orderId: 'o1' }],
    ]);
    const typed: Equal<typeof results, [User | undefined, Order | undefined]> = true;
    expect(typed).to.equal(true);
    expect(results[1]?.total).to.equal(12);
  });

  it('reads items of two classes in ONE TransactGetItems, decrypted, in order, absent as undefined', async () => {
    kms.resetCalls();
    const [u2, missing, order, u1] = await db.transactFind([
      [User, { id: 'u2' }],
      [User, { id: 'nobody' }],
      [Order, { userId: 'u1', orderId: 'o1' }],
      [User, { id: 'u1' }],
    ] as const);
    expect(recorder.names()).to.deep.equal(['TransactGetItemsCommand']);
    expect(u2).to.be.instanceOf(User);
    expect(u2?.email).to.equal('u2@example.com');
    expect(missing).to.equal(undefined);
    expect(order).to.be.instanceOf(Order);
    expect(order?.card).to.equal('4111-1');
    expect(order?.total).to.equal(12);
    expect(u1?.name).to.equal('name u1');
    expect(u1?.email).to.equal('u1@example.com');
    // Each saved item has its own data key (one save, one scope): three wrapped keys, three
    // Decrypts, and no DescribeKey beyond the first resolution of the key.
    expect(kms.calls('Decrypt')).to.equal(3);
  });

  it('fails the whole call with INTEGRITY when one item was tampered with', async () => {
    const users = db.repository(User);
    await users.save(Object.assign(new User(), { id: 'tampered', email: 't@example.com' }));
    const raw = await recorder.client.send(
      new GetItemCommand({ TableName: users.metadata.table, Key: { id: { S: 'tampered' } } }),
    );
    // v2: the item's encrypted values are sealed in its one envelope, `__td`.
    const bytes = Buffer.from(raw.Item!.__td.B!);
    bytes[bytes.length - 5] ^= 0x01;
    await recorder.client.send(
      new PutItemCommand({
        TableName: users.metadata.table,
        Item: { ...raw.Item!, __td: { B: bytes } },
      }),
    );
    const error = await db
      .transactFind([
        [User, { id: 'u1' }],
        [User, { id: 'tampered' }],
        [Order, { userId: 'u1', orderId: 'o1' }],
      ])
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EncryptionError);
    expect((error as EncryptionError).code).to.equal('INTEGRITY');
    expect((error as EncryptionError).field).to.equal('email');
  });

  it('fails with INTEGRITY when an envelope was moved to another item', async () => {
    const users = db.repository(User);
    const raw = await recorder.client.send(
      new GetItemCommand({ TableName: users.metadata.table, Key: { id: { S: 'u1' } } }),
    );
    await recorder.client.send(
      new PutItemCommand({
        TableName: users.metadata.table,
        Item: { id: { S: 'moved' }, __td: raw.Item!.__td },
      }),
    );
    expect(raw.Item!.__td.B).to.be.instanceOf(Uint8Array);
    const error = await db.transactFind([[User, { id: 'moved' }]]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EncryptionError);
    expect((error as EncryptionError).code).to.equal('INTEGRITY');
  });

  it('refuses 0 and 101 items, duplicates and bad keys before sending anything', async () => {
    const none = await db.transactFind([]).catch((e: unknown) => e);
    expect((none as ValidationError).message).to.match(/1 to 100 actions, got 0/);
    const many = Array.from({ length: 101 }, (_, i) => [User, { id: `u${i}` }] as const);
    const tooMany = await db.transactFind(many).catch((e: unknown) => e);
    expect(tooMany).to.be.instanceOf(ValidationError);
    const twice = await db
      .transactFind([
        [User, { id: 'u1' }],
        [User, { id: 'u1' }],
      ])
      .catch((e: unknown) => e);
    expect((twice as ValidationError).message).to.match(/actions 0 and 1 touch the same User item/);
    const badKey = await db.transactFind([[Order, { userId: 'u1' }]]).catch((e: unknown) => e);
    expect((badKey as ValidationError).message).to.equal(
      'Order.orderId is a key property and must be set',
    );
    expect(recorder.count()).to.equal(0);
  });

  it('reads 100 items', async () => {
    const gets = Array.from(
      { length: 100 },
      (_, i) => [User, { id: i === 0 ? 'u1' : `none-${i}` }] as const,
    );
    const results = await db.transactFind(gets);
    expect(results).to.have.length(100);
    expect((results[0] as User).email).to.equal('u1@example.com');
    expect(results.slice(1).every((r) => r === undefined)).to.equal(true);
  });

  it('refuses an encrypted entity on a TheoryDb without a key (ENCRYPTION_NOT_CONFIGURED), sending nothing', async () => {
    const rec = await recordingDynamo();
    const unkeyed = new TheoryDb({ dynamodb: rec.client });
    const error = await unkeyed.transactFind([[User, { id: 'u1' }]]).catch((e: unknown) => e);
    expect((error as EncryptionError).code).to.equal('ENCRYPTION_NOT_CONFIGURED');
    expect(rec.count()).to.equal(0);
  });
});
