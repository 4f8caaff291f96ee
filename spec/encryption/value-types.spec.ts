import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  TheoryDb,
  ValidationError,
  type Repository,
} from '../../src';
import { ENVELOPE_MAGIC, FORMAT_VERSION } from '../../src/crypto/envelope-layout';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { rejectionOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Every value type an @Encrypted field can hold goes in encrypted, is sealed in the item's one B
// envelope (`__td`; no attribute under the field's own name), and comes back with its type and value.

@Entity({ table: uniqueTable('enc-types'), name: 'Typed' })
class Typed {
  @PartitionKey() id!: string;
  @Attribute() plain?: string;
  @Encrypted() text?: string;
  @Encrypted() count?: number;
  @Encrypted() big?: bigint;
  @Encrypted() flag?: boolean;
  @Encrypted() when?: Date;
  @Encrypted() bytes?: Uint8Array;
  @Encrypted() buffer?: Buffer;
  @Encrypted() @Attribute({ type: Object }) doc?: Record<string, unknown>;
  @Encrypted() list?: unknown[];
  @Encrypted() tags?: Set<string>;
  @Encrypted() @Attribute({ type: Set }) numbers?: Set<number>;
}

type Field = Exclude<keyof Typed, 'id' | 'plain'>;

describe('Encrypted value types round-trip (DynamoDB Local + LocalKms)', function () {
  this.timeout(30_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let keyArn: string;
  let repo: Repository<Typed>;
  let counter = 0;

  async function rawItem(id: string): Promise<Record<string, AttributeValue>> {
    const out = await dynamo.client.send(
      new GetItemCommand({
        TableName: repo.metadata.table,
        Key: { id: { S: id } },
        ConsistentRead: true,
      }),
    );
    expect(out.Item).not.to.equal(undefined);
    return out.Item!;
  }

  /** Saves `field = value`, checks the stored envelope, and returns what find read back. */
  async function roundTrip<F extends Field>(field: F, value: Typed[F]): Promise<Typed[F]> {
    const id = `${field}-${(counter += 1)}`;
    await repo.save(Object.assign(new Typed(), { id, plain: 'p', [field]: value }));
    const item = await rawItem(id);
    const stored = item.__td;
    expect(Object.keys(stored), `${field} is sealed in one B envelope`).to.deep.equal(['B']);
    const bytes = Buffer.from(stored.B!);
    expect([...bytes.subarray(0, 3)]).to.deep.equal([...ENVELOPE_MAGIC, FORMAT_VERSION]);
    // The field's name is not stored: DynamoDB sees only the envelope.
    expect(Object.keys(item).sort()).to.deep.equal(['__td', 'id', 'plain']);
    const found = await repo.find({ id });
    expect(found).to.be.instanceOf(Typed);
    return found![field];
  }

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-types')}` });
    const db = new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kms.client(), keyId: keyArn },
    });
    await db.createTable(Typed);
    repo = db.repository(Typed);
  });

  it('string: plain, empty, unicode (astral, combining, NUL) and long', async () => {
    for (const value of [
      'hello',
      '',
      'héllo wörld — 你好 🔐 é \u0000 end',
      '\u{1F600}'.repeat(50),
      'x'.repeat(20_000),
    ]) {
      const back = await roundTrip('text', value);
      expect(typeof back).to.equal('string');
      expect(back).to.equal(value);
    }
  });

  it('number: integers, -0, fractions, extremes', async () => {
    for (const value of [
      0,
      -0,
      1,
      -1,
      3.14159,
      -2.5e-300,
      0.1 + 0.2,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_VALUE,
      1.7976931348623157e308,
      -1e21,
    ]) {
      const back = await roundTrip('count', value);
      expect(typeof back).to.equal('number');
      expect(Object.is(back, value), `${value}`).to.equal(true);
    }
  });

  it('bigint: zero, negative and beyond 64 bits', async () => {
    for (const value of [0n, -1n, 2n ** 64n, -(2n ** 200n) + 7n]) {
      const back = await roundTrip('big', value);
      expect(typeof back).to.equal('bigint');
      expect(back === value, `${value}`).to.equal(true);
    }
  });

  it('boolean: true and false', async () => {
    expect(await roundTrip('flag', true)).to.equal(true);
    expect(await roundTrip('flag', false)).to.equal(false);
  });

  it('Date: epoch, milliseconds, before 1970', async () => {
    for (const value of [new Date(0), new Date('2026-01-02T03:04:05.678Z'), new Date(-1e12)]) {
      const back = await roundTrip('when', value);
      expect(back).to.be.instanceOf(Date);
      expect(back!.getTime()).to.equal(value.getTime());
    }
  });

  it('Uint8Array comes back as a Uint8Array, Buffer as a Buffer', async () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 37) & 0xff);
    const backBytes = await roundTrip('bytes', bytes);
    expect(backBytes!.constructor).to.equal(Uint8Array);
    expect([...backBytes!]).to.deep.equal([...bytes]);
    const empty = await roundTrip('bytes', new Uint8Array(0));
    expect(empty!.constructor).to.equal(Uint8Array);
    expect(empty!.length).to.equal(0);
    const buffer = Buffer.from('buffer bytes \u00ff', 'utf8');
    const backBuffer = await roundTrip('buffer', buffer);
    expect(Buffer.isBuffer(backBuffer)).to.equal(true);
    expect(backBuffer!.equals(buffer)).to.equal(true);
  });

  it('plain objects keep nested Dates, bigints, bytes, nulls and arrays', async () => {
    const value = {
      name: 'n',
      n: -0.5,
      nothing: null,
      nested: {
        when: new Date('2020-02-29T12:00:00.000Z'),
        big: 2n ** 70n,
        list: [1, 'two', true, null, [new Date(5)]],
        bytes: new Uint8Array([1, 2, 3]),
      },
    };
    const back = await roundTrip('doc', value);
    expect(back).to.deep.equal(value);
    const nested = back!.nested as Record<string, unknown>;
    expect(nested.when).to.be.instanceOf(Date);
    expect(typeof nested.big).to.equal('bigint');
    expect(await roundTrip('doc', {})).to.deep.equal({});
  });

  it('arrays keep element types, empty and nested ones included', async () => {
    const value = [1, 'two', new Date(0), 3n, null, false, [true, { a: 'b' }], new Uint8Array([9])];
    const back = await roundTrip('list', value);
    expect(back).to.deep.equal(value);
    expect(back![2]).to.be.instanceOf(Date);
    expect(await roundTrip('list', [])).to.deep.equal([]);
  });

  it('Sets of strings and numbers, the empty Set included', async () => {
    const strings = await roundTrip('tags', new Set(['a', 'b', 'ü']));
    expect(strings).to.be.instanceOf(Set);
    expect([...strings!]).to.deep.equal(['a', 'b', 'ü']);
    const numbers = await roundTrip('numbers', new Set([1, 2.5, -3]));
    expect([...numbers!]).to.deep.equal([1, 2.5, -3]);
    const empty = await roundTrip('tags', new Set());
    expect(empty).to.be.instanceOf(Set);
    expect(empty!.size).to.equal(0);
  });

  it('null is encrypted too (an envelope, not a NULL attribute) and comes back as null', async () => {
    expect(await roundTrip('text', null as unknown as string)).to.equal(null);
  });

  it('an undefined encrypted field is absent from the item and from the entity', async () => {
    await repo.save(Object.assign(new Typed(), { id: 'undef', plain: 'p', count: 1 }));
    const item = await rawItem('undef');
    // `count` is sealed in the envelope; `text` is neither stored nor sealed.
    expect(Object.keys(item).sort()).to.deep.equal(['__td', 'id', 'plain']);
    const found = await repo.get({ id: 'undef' });
    expect(found.text).to.equal(undefined);
    expect(Object.prototype.hasOwnProperty.call(found, 'text')).to.equal(false);
    expect(found.count).to.equal(1);
  });

  it('re-saving replaces a value with a fresh envelope (new nonce) each time', async () => {
    const entity = Object.assign(new Typed(), { id: 'fresh', text: 'same value' });
    await repo.save(entity);
    const first = Buffer.from((await rawItem('fresh')).__td.B!);
    await repo.save(entity);
    const second = Buffer.from((await rawItem('fresh')).__td.B!);
    expect(first.equals(second)).to.equal(false);
    expect((await repo.get({ id: 'fresh' })).text).to.equal('same value');
  });

  describe('a value of the wrong type: ValidationError before any KMS or DynamoDB request', () => {
    let rec: DynamoRecorder;
    let strictRepo: Repository<Typed>;

    before(async () => {
      rec = await recordingDynamo();
      // A fresh binding: even the key ARN is still unresolved, so any KMS call would show.
      strictRepo = new TheoryDb({
        dynamodb: rec.client,
        kms: { client: kms.client(), keyId: keyArn },
      }).repository(Typed);
    });

    after(() => rec.client.destroy());

    class NotPlain {
      x = 1;
    }

    const wrong: [Field, unknown][] = [
      ['text', 42],
      ['text', Symbol('s')],
      ['count', '42'],
      ['count', 42n],
      ['big', 42],
      ['flag', 'true'],
      ['when', '2026-01-01'],
      ['when', new Date(Number.NaN)],
      ['bytes', 'bytes'],
      ['bytes', [1, 2, 3]],
      ['list', { 0: 'a' }],
      ['tags', ['a', 'b']],
      ['doc', new NotPlain()],
      ['doc', () => 1],
    ];
    for (const [field, value] of wrong) {
      const label = typeof value === 'object' ? (value as object).constructor.name : typeof value;
      it(`${field} given ${label}`, async () => {
        rec.clear();
        const kmsBefore = kms.calls();
        const entity = Object.assign(new Typed(), {
          id: `wrong-${field}`,
          text: 'ok',
          [field]: value,
        });
        const error = await rejectionOf(strictRepo.save(entity));
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).code).to.equal('VALIDATION');
        expect((error as ValidationError).property).to.equal(field);
        expect(rec.count()).to.equal(0);
        expect(kms.calls()).to.equal(kmsBefore);
      });
    }
  });
});
