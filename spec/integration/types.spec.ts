import { expect } from 'chai';
import * as path from 'node:path';
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ValidationError, MappingError, type Repository, TheoryDb } from '../../src';
import { compileStandardFixtures } from '../support/standard-fixtures';
import { expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms } from '../support/stack';
import type * as StandardTypes from '../standard/fixtures/types';
import {
  type Everything,
  type Secrets,
  type Tree,
  type TypeEntities,
  legacyTypes,
} from './types/legacy-entities';
import { Status } from './types/shared';

// The same assertions for both decorator standards: the legacy entities (design:type) and their
// standard twins (every type declared), compiled separately, on one shared table.

const fixtures = compileStandardFixtures(path.join(__dirname, '../standard/fixtures'));
const standardTypes = fixtures.load<typeof StandardTypes>('types').standardTypes;

/** Asserts the exact class of a value (chai's instanceOf accepts subclasses such as Buffer). */
function expectExactly(value: unknown, type: abstract new (...args: never[]) => unknown) {
  expect(value).to.be.instanceOf(type);
  expect(Object.getPrototypeOf(value)).to.equal(type.prototype, `exactly ${type.name}`);
}

function bytesOf(value: Uint8Array | undefined): number[] {
  expect(value).to.be.instanceOf(Uint8Array);
  return [...value!];
}

function typeRoundTrips(types: TypeEntities): void {
  describe(`type round trips, ${types.mode} decorators (DynamoDB Local)`, () => {
    let client: DynamoDBClient;
    let repo: Repository<Everything>;
    let secrets: Repository<Secrets>;
    let counter = 0;

    before(async () => {
      client = (await sharedDynamo()).client;
      const kms = await sharedKms();
      const db = new TheoryDb({
        dynamodb: client,
        kms: { client: kms.client(), keyId: await kms.createKey() },
      });
      // Both sets, and the encrypted entity, share one table: created by the first set only.
      await db.createTable(types.Everything, { ifNotExists: true });
      repo = db.repository(types.Everything);
      secrets = db.repository(types.Secrets);
    });

    async function raw(id: string): Promise<Record<string, AttributeValue>> {
      const output = await client.send(
        new GetItemCommand({
          TableName: repo.metadata.table,
          Key: { id: { S: id } },
          ConsistentRead: true,
        }),
      );
      expect(output.Item, `stored item ${id}`).to.not.equal(undefined);
      return output.Item!;
    }

    /** Saves an entity with `values`, then loads it back and reads the raw item. */
    async function roundTrip(values: Partial<Everything>) {
      counter += 1;
      const id = `${types.mode}-item-${counter}`;
      const entity = Object.assign(new types.Everything(), { id }, values);
      expect(await repo.save(entity)).to.equal(entity);
      const loaded = await repo.get({ id }, { consistent: true });
      expect(loaded).to.be.instanceOf(types.Everything);
      expect(loaded.id).to.equal(id);
      return { loaded, item: await raw(id), id };
    }

    it('strings, including unicode and the empty string', async () => {
      const text = 'héllo wörld \u{1F30D} \u0000 \u00e9\u0301 日本語';
      const { loaded, item } = await roundTrip({ text });
      expect(loaded.text).to.equal(text);
      expect(item.text).to.deep.equal({ S: text });

      const empty = await roundTrip({ text: '' });
      expect(empty.loaded.text).to.equal('');
      expect(empty.item.text).to.deep.equal({ S: '' });
    });

    it('numbers: zero, negative, fractional, tiny, huge and the largest safe integer', async () => {
      const cases: [number, string][] = [
        [0, '0'],
        [-17.25, '-17.25'],
        [Math.PI, '3.141592653589793'],
        [0.1 + 0.2, '0.30000000000000004'],
        [Number.MAX_SAFE_INTEGER, '9007199254740991'],
        [-Number.MAX_SAFE_INTEGER, '-9007199254740991'],
        [1e-7, '0.0000001'],
        [-2.5e-100, undefined as unknown as string],
        [1e125, undefined as unknown as string],
      ];
      for (const [count, stored] of cases) {
        const { loaded, item } = await roundTrip({ count });
        expect(loaded.count).to.equal(count);
        expect(typeof loaded.count).to.equal('number');
        expect(item.count.N, `stored form of ${count}`).to.be.a('string');
        expect(Number(item.count.N)).to.equal(count);
        if (stored !== undefined) expect(item.count).to.deep.equal({ N: stored });
      }
    });

    it('refuses numbers beyond DynamoDB range before sending, storing nothing', async () => {
      // DynamoDB stores magnitudes from 1e-130 to below 1e126; theorydb refuses the rest itself.
      for (const count of [1e126, 5e-324, -Number.MAX_VALUE]) {
        const entity = Object.assign(new types.Everything(), {
          id: `${types.mode}-out-of-range-${count}`,
          count,
        });
        const error = await repo.save(entity).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).code).to.equal('VALIDATION');
        expect((error as ValidationError).message).to.match(/magnitude 1e-130 to 1e126/);
        expect(await repo.find({ id: `${types.mode}-out-of-range-${count}` })).to.equal(undefined);
      }
    });

    it('bigints beyond 2^53, negative, and with 38 digits', async () => {
      for (const big of [
        2n ** 53n + 1n,
        -(2n ** 63n),
        12345678901234567890123456789012345678n,
        -99999999999999999999999999999999999999n,
        0n,
      ]) {
        const { loaded, item } = await roundTrip({ big });
        expect(typeof loaded.big).to.equal('bigint');
        expect(loaded.big).to.equal(big);
        expect(item.big).to.deep.equal({ N: big.toString() });
      }
    });

    it('booleans', async () => {
      for (const flag of [true, false]) {
        const { loaded, item } = await roundTrip({ flag });
        expect(loaded.flag).to.equal(flag);
        expect(item.flag).to.deep.equal({ BOOL: flag });
      }
    });

    it('Dates as ISO strings (the default), epoch milliseconds and epoch seconds', async () => {
      const when = new Date('2026-03-04T05:06:07.891Z');
      const { loaded, item } = await roundTrip({ isoDate: when, msDate: when, secDate: when });
      expectExactly(loaded.isoDate, Date);
      expectExactly(loaded.msDate, Date);
      expectExactly(loaded.secDate, Date);
      expect(loaded.isoDate!.getTime()).to.equal(when.getTime());
      expect(loaded.msDate!.getTime()).to.equal(when.getTime());
      // Epoch seconds drop the milliseconds.
      expect(loaded.secDate!.toISOString()).to.equal('2026-03-04T05:06:07.000Z');
      expect(item.isoDate).to.deep.equal({ S: '2026-03-04T05:06:07.891Z' });
      expect(item.msDate).to.deep.equal({ N: String(when.getTime()) });
      expect(item.secDate).to.deep.equal({ N: String(Math.floor(when.getTime() / 1000)) });
    });

    it('Dates before 1970 and beyond year 9999', async () => {
      const early = new Date('1901-12-13T20:45:52.001Z');
      const far = new Date('+012345-06-07T08:09:10.111Z');
      const { loaded, item } = await roundTrip({ isoDate: far, msDate: early });
      expect(loaded.isoDate!.getTime()).to.equal(far.getTime());
      expect(loaded.msDate!.getTime()).to.equal(early.getTime());
      expect(item.isoDate).to.deep.equal({ S: '+012345-06-07T08:09:10.111Z' });
      expect(item.msDate).to.deep.equal({ N: String(early.getTime()) });
    });

    it('Uint8Array loads as exactly Uint8Array, even when a Buffer was saved', async () => {
      const { loaded, item } = await roundTrip({ bytes: new Uint8Array([0, 1, 254, 255]) });
      expectExactly(loaded.bytes, Uint8Array);
      expect(bytesOf(loaded.bytes)).to.deep.equal([0, 1, 254, 255]);
      expect(bytesOf(item.bytes.B)).to.deep.equal([0, 1, 254, 255]);

      const fromBuffer = await roundTrip({ bytes: Buffer.from('abc') });
      expectExactly(fromBuffer.loaded.bytes, Uint8Array);
      expect(bytesOf(fromBuffer.loaded.bytes)).to.deep.equal([97, 98, 99]);

      const empty = await roundTrip({ bytes: new Uint8Array(0) });
      expectExactly(empty.loaded.bytes, Uint8Array);
      expect(empty.loaded.bytes!.byteLength).to.equal(0);
    });

    it('Buffer (declared type: Buffer) loads as a Buffer', async () => {
      const { loaded, item } = await roundTrip({ buffer: Buffer.from([9, 8, 7]) });
      expect(Buffer.isBuffer(loaded.buffer)).to.equal(true);
      expectExactly(loaded.buffer, Buffer);
      expect(loaded.buffer!.equals(Buffer.from([9, 8, 7]))).to.equal(true);
      expect(bytesOf(item.buffer.B)).to.deep.equal([9, 8, 7]);
    });

    it('string, number and bigint sets as SS and NS', async () => {
      const { loaded, item } = await roundTrip({
        tags: new Set(['b', 'a', 'ü']),
        scores: new Set([1, -2.5, 1e20]),
        bigs: new Set([2n ** 70n, -1n]),
      });
      expectExactly(loaded.tags, Set);
      expect(loaded.tags).to.deep.equal(new Set(['a', 'b', 'ü']));
      expectExactly(loaded.scores, Set);
      expect(loaded.scores).to.deep.equal(new Set([1, -2.5, 1e20]));
      expect([...loaded.bigs!].map((b) => typeof b)).to.deep.equal(['bigint', 'bigint']);
      expect(loaded.bigs).to.deep.equal(new Set([2n ** 70n, -1n]));
      expect(Object.keys(item.tags)).to.deep.equal(['SS']);
      expect([...item.tags.SS!].sort()).to.deep.equal(['a', 'b', 'ü']);
      expect(Object.keys(item.scores)).to.deep.equal(['NS']);
      expect(item.scores.NS!.map(Number).sort((x, y) => x - y)).to.deep.equal([-2.5, 1, 1e20]);
      expect(Object.keys(item.bigs)).to.deep.equal(['NS']);
      expect([...item.bigs.NS!].sort()).to.deep.equal(['-1', (2n ** 70n).toString()]);
    });

    it('binary sets as BS, elements loading as Uint8Array', async () => {
      const { loaded, item } = await roundTrip({
        blobs: new Set([new Uint8Array([1, 2]), new Uint8Array([3])]),
      });
      expectExactly(loaded.blobs, Set);
      const blobs = [...loaded.blobs!];
      blobs.forEach((b) => expectExactly(b, Uint8Array));
      expect(blobs.map((b) => [...b]).sort()).to.deep.equal([[1, 2], [3]]);
      expect(Object.keys(item.blobs)).to.deep.equal(['BS']);
      expect(item.blobs.BS!.map((b) => [...b]).sort()).to.deep.equal([[1, 2], [3]]);
    });

    it('Buffer sets (items: Buffer) load Buffer elements, as a Buffer property does', async () => {
      const { loaded } = await roundTrip({ buffers: new Set([Buffer.from('xy')]) });
      const [element] = [...loaded.buffers!];
      expect(bytesOf(element)).to.deep.equal([120, 121]);
      expect(Buffer.isBuffer(element), 'a Set<Buffer> element loads as a Buffer').to.equal(true);
    });

    it('a set without a declared element type keeps its elements; numbers beyond 2^53 as bigints', async () => {
      const strings = await roundTrip({ looseSet: new Set(['x', 'y']) });
      expect(strings.loaded.looseSet).to.deep.equal(new Set(['x', 'y']));
      expect(Object.keys(strings.item.looseSet)).to.deep.equal(['SS']);
      const numbers = await roundTrip({
        looseSet: new Set<string | number | bigint>([1, 2n ** 60n + 1n]),
      });
      expect(Object.keys(numbers.item.looseSet)).to.deep.equal(['NS']);
      expect(numbers.loaded.looseSet).to.deep.equal(new Set([1, 2n ** 60n + 1n]));
    });

    it('leaves an empty set out of the item; it loads as undefined', async () => {
      const { loaded, item } = await roundTrip({ tags: new Set(), text: 'kept' });
      expect(item).to.not.have.property('tags');
      expect(loaded.tags).to.equal(undefined);
      expect(loaded.text).to.equal('kept');
    });

    it('arrays of strings (type: Array, items: String), with null and empty arrays', async () => {
      const { loaded, item } = await roundTrip({ names: ['b', '', 'a', null] });
      expectExactly(loaded.names, Array);
      expect(loaded.names).to.deep.equal(['b', '', 'a', null]);
      expect(item.names).to.deep.equal({ L: [{ S: 'b' }, { S: '' }, { S: 'a' }, { NULL: true }] });

      const empty = await roundTrip({ names: [] });
      expect(empty.loaded.names).to.deep.equal([]);
      expect(empty.item.names).to.deep.equal({ L: [] });
    });

    it('arrays of nested decorated classes (items: Line) load as instances with Dates', async () => {
      const line = (sku: string, quantity: number, at: string) =>
        Object.assign(new types.Line(), { sku, quantity, addedAt: new Date(at) });
      const { loaded, item } = await roundTrip({
        lines: [
          line('A-1', 2, '2026-01-01T00:00:00.000Z'),
          line('B-2', -1, '2026-01-02T12:00:00.500Z'),
        ],
      });
      expect(loaded.lines).to.have.length(2);
      loaded.lines!.forEach((l) => expectExactly(l, types.Line));
      expectExactly(loaded.lines![1].addedAt, Date);
      expect(loaded.lines).to.deep.equal([
        line('A-1', 2, '2026-01-01T00:00:00.000Z'),
        line('B-2', -1, '2026-01-02T12:00:00.500Z'),
      ]);
      expect(item.lines.L![0]).to.deep.equal({
        M: { sku: { S: 'A-1' }, q: { N: '2' }, addedAt: { S: '2026-01-01T00:00:00.000Z' } },
      });
    });

    it('arrays of class-transformer classes (@Type(() => Stamp), or items: Stamp in standard mode)', async () => {
      const stamp = (label: string, at: string, count: number) =>
        Object.assign(new types.Stamp(), { label, at: new Date(at), count });
      const { loaded, item } = await roundTrip({
        stamps: [
          stamp('first', '2025-05-05T05:05:05.005Z', 1),
          stamp('second', '2024-02-29T00:00:00.000Z', 0),
        ],
      });
      loaded.stamps!.forEach((s) => expectExactly(s, types.Stamp));
      expectExactly(loaded.stamps![0].at, Date);
      expect(loaded.stamps).to.deep.equal([
        stamp('first', '2025-05-05T05:05:05.005Z', 1),
        stamp('second', '2024-02-29T00:00:00.000Z', 0),
      ]);
      expect(item.stamps.L![1]).to.deep.equal({
        M: { label: { S: 'second' }, at: { S: '2024-02-29T00:00:00.000Z' }, count: { N: '0' } },
      });
    });

    it('plain nested objects (type: Object), Dates inside loading as ISO strings', async () => {
      const meta = {
        name: 'n',
        n: -3.5,
        yes: true,
        none: null,
        empty: '',
        list: [1, 'two', false, null, { deep: [[]] }],
        nested: { a: { b: { c: 'd' } } },
        huge: 2n ** 64n,
        when: new Date('2026-01-01T00:00:00.000Z'),
      };
      const { loaded, item } = await roundTrip({ meta });
      expect(Object.getPrototypeOf(loaded.meta)).to.equal(Object.prototype);
      expect(loaded.meta).to.deep.equal({ ...meta, when: '2026-01-01T00:00:00.000Z' });
      expect(typeof loaded.meta!.huge).to.equal('bigint');
      expect(item.meta.M!.nested).to.deep.equal({
        M: { a: { M: { b: { M: { c: { S: 'd' } } } } } },
      });
      expect(item.meta.M!.when).to.deep.equal({ S: '2026-01-01T00:00:00.000Z' });
      expect(item.meta.M!.none).to.deep.equal({ NULL: true });
    });

    it('arrays without items hold any JSON-like values', async () => {
      const { loaded, item } = await roundTrip({ list: [1, 'a', true, null, { x: [2] }] });
      expect(loaded.list).to.deep.equal([1, 'a', true, null, { x: [2] }]);
      expect(item.list).to.deep.equal({
        L: [
          { N: '1' },
          { S: 'a' },
          { BOOL: true },
          { NULL: true },
          { M: { x: { L: [{ N: '2' }] } } },
        ],
      });
    });

    it('nested decorated classes load as real instances with their types restored', async () => {
      const profile = Object.assign(new types.Profile(), {
        nickname: 'nick',
        born: new Date('1990-04-05T06:07:08.009Z'),
        seen: new Date('2026-02-02T02:02:02.222Z'),
        photo: new Uint8Array([5, 6]),
        labels: new Set(['x']),
        line: Object.assign(new types.Line(), {
          sku: 'S',
          quantity: 3,
          addedAt: new Date('2026-01-01T00:00:00.000Z'),
        }),
        motto: null,
      });
      const { loaded, item } = await roundTrip({ profile });
      const p = loaded.profile!;
      expectExactly(p, types.Profile);
      expectExactly(p.born, Date);
      expectExactly(p.seen, Date);
      expectExactly(p.photo, Uint8Array);
      expectExactly(p.labels, Set);
      expectExactly(p.line, types.Line);
      expectExactly(p.line!.addedAt, Date);
      expect(p).to.deep.equal(profile);
      expect(p.motto).to.equal(null);
      expect(item.profile.M!.born).to.deep.equal({ S: '1990-04-05T06:07:08.009Z' });
      expect(item.profile.M!.seen).to.deep.equal({
        N: String(Date.parse('2026-02-02T02:02:02.222Z')),
      });
      expect(item.profile.M!.labels).to.deep.equal({ SS: ['x'] });
      expect(item.profile.M!.motto).to.deep.equal({ NULL: true });
      expect(item.profile.M!.line.M!.q).to.deep.equal({ N: '3' });
    });

    it('leaves undefined fields of a nested decorated class out of its map', async () => {
      const profile = Object.assign(new types.Profile(), {
        nickname: 'only',
        born: new Date(0),
        seen: new Date(1000),
      });
      const { loaded, item } = await roundTrip({ profile });
      expect(Object.keys(item.profile.M!).sort()).to.deep.equal(['born', 'nickname', 'seen']);
      expect(Object.keys(loaded.profile!).sort()).to.deep.equal(['born', 'nickname', 'seen']);
    });

    it('a class that nests itself', async () => {
      const node = (name: string, children?: Tree[]) =>
        Object.assign(new types.Tree(), { name, children });
      const tree = node('root', [node('a', [node('a1')]), node('b', [])]);
      const { loaded, item } = await roundTrip({ tree });
      expectExactly(loaded.tree, types.Tree);
      expectExactly(loaded.tree!.children![0].children![0], types.Tree);
      expect(loaded.tree!.children![0].children![0].name).to.equal('a1');
      expect(loaded.tree!.children![1].children).to.deep.equal([]);
      expect(item.tree.M!.children.L![0].M!.children.L![0]).to.deep.equal({
        M: { name: { S: 'a1' } },
      });
    });

    it('nested undecorated classes through class-transformer, @Type(() => Date) restoring Dates', async () => {
      const stamp = Object.assign(new types.Stamp(), {
        label: 'ct',
        at: new Date('2026-07-08T09:10:11.012Z'),
        count: 42,
      });
      const { loaded, item } = await roundTrip({ stamp });
      expectExactly(loaded.stamp, types.Stamp);
      expectExactly(loaded.stamp!.at, Date);
      expect(loaded.stamp).to.deep.equal(stamp);
      expect(item.stamp).to.deep.equal({
        M: { label: { S: 'ct' }, at: { S: '2026-07-08T09:10:11.012Z' }, count: { N: '42' } },
      });
    });

    it('string enums (type: String)', async () => {
      const { loaded, item } = await roundTrip({ status: Status.Suspended });
      expect(loaded.status).to.equal(Status.Suspended);
      expect(loaded.status).to.equal('suspended');
      expect(item.status).to.deep.equal({ S: 'suspended' });
    });

    it('null values as NULL, loading as null', async () => {
      const { loaded, item } = await roundTrip({ nullable: null, count: null });
      expect(loaded.nullable).to.equal(null);
      expect(loaded.count).to.equal(null);
      expect(item.nullable).to.deep.equal({ NULL: true });
      expect(item.count).to.deep.equal({ NULL: true });
    });

    it('leaves undefined attributes out of the stored item, and off the loaded entity', async () => {
      const { loaded, item } = await roundTrip({ text: 'only text', count: undefined });
      expect(Object.keys(item).sort()).to.deep.equal(['id', 'text']);
      expect(Object.keys(loaded).sort()).to.deep.equal(['id', 'text']);
      expect(Object.prototype.hasOwnProperty.call(loaded, 'count')).to.equal(false);
    });

    describe('@Encrypted fields (LocalKms)', () => {
      /** The stored item as text, binary values byte for byte, to search for a plaintext. */
      function itemText(item: Record<string, AttributeValue>): string {
        return JSON.stringify(item, (_key, value: unknown) =>
          value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
        );
      }

      async function secretRoundTrip(values: Partial<Secrets>) {
        counter += 1;
        const id = `${types.mode}-secret-${counter}`;
        await secrets.save(Object.assign(new types.Secrets(), { id }, values));
        const loaded = await secrets.get({ id }, { consistent: true });
        expect(loaded).to.be.instanceOf(types.Secrets);
        return { loaded, item: await raw(id) };
      }

      it('every encryptable type reads back with its type and value, never stored in clear', async () => {
        const values = {
          text: 'types-secret-text-5521',
          count: -12.5,
          big: 2n ** 80n + 1n,
          flag: false,
          when: new Date('2026-08-09T10:11:12.013Z'),
          bytes: new Uint8Array([0, 7, 255]),
          buffer: Buffer.from('types-secret-buffer-7731'),
          doc: { nested: { when: new Date(5), big: 3n, none: null }, list: ['x'] },
          list: [1, 'two', new Date(0), null, [true]],
          tags: new Set(['types-secret-tag-9043', 'b']),
        };
        const { loaded, item } = await secretRoundTrip(values);
        expect(loaded.text).to.equal(values.text);
        expect(loaded.count).to.equal(-12.5);
        expect(typeof loaded.big).to.equal('bigint');
        expect(loaded.big).to.equal(values.big);
        expect(loaded.flag).to.equal(false);
        expectExactly(loaded.when, Date);
        expect(loaded.when!.getTime()).to.equal(values.when.getTime());
        expectExactly(loaded.bytes, Uint8Array);
        expect(bytesOf(loaded.bytes)).to.deep.equal([0, 7, 255]);
        expectExactly(loaded.buffer, Buffer);
        expect(loaded.buffer!.equals(values.buffer)).to.equal(true);
        expect(loaded.doc).to.deep.equal(values.doc);
        expect(loaded.list).to.deep.equal(values.list);
        expectExactly(loaded.list![2], Date);
        expectExactly(loaded.tags, Set);
        expect(loaded.tags).to.deep.equal(values.tags);
        const stored = itemText(item);
        for (const secret of [values.text, 'types-secret-buffer-7731', 'types-secret-tag-9043']) {
          expectNoPlaintext(stored, secret, 'the stored item');
        }
      });

      it('null reads back as null; undefined fields stay off the loaded entity', async () => {
        const { loaded } = await secretRoundTrip({ text: null as unknown as string, count: 0 });
        expect(loaded.text).to.equal(null);
        expect(loaded.count).to.equal(0);
        expect(Object.keys(loaded).sort()).to.deep.equal(['count', 'id', 'text']);
      });
    });

    it('ignores stored attributes the entity does not declare', async () => {
      await client.send(
        new PutItemCommand({
          TableName: repo.metadata.table,
          Item: { id: { S: `${types.mode}-foreign` }, text: { S: 't' }, other: { N: '1' } },
        }),
      );
      const loaded = await repo.get({ id: `${types.mode}-foreign` }, { consistent: true });
      expect(Object.keys(loaded).sort()).to.deep.equal(['id', 'text']);
    });

    it('fails a load with MAPPING when a stored attribute has the wrong DynamoDB type', async () => {
      const cases: [Record<string, AttributeValue>, string, string][] = [
        [
          { count: { S: '12' } },
          'count',
          'Everything.count: stored attribute "count" is S, expected N',
        ],
        [
          { flag: { S: 'true' } },
          'flag',
          'Everything.flag: stored attribute "flag" is S, expected BOOL',
        ],
        [
          { isoDate: { S: 'not a date' } },
          'isoDate',
          'Everything.isoDate: stored attribute "isoDate" is S, expected an ISO-8601 S',
        ],
        [
          { big: { N: '1.5' } },
          'big',
          'Everything.big: stored attribute "big" is N, expected an integral N',
        ],
        [
          { tags: { NS: ['1'] } },
          'tags',
          'Everything.tags: stored attribute "tags" is NS, expected a set of string',
        ],
        [
          { profile: { S: 'x' } },
          'profile',
          'Everything.profile: stored attribute "profile" is S, expected M',
        ],
      ];
      for (const [attributes, property, message] of cases) {
        const id = `${types.mode}-wrong-${property}`;
        await client.send(
          new PutItemCommand({
            TableName: repo.metadata.table,
            Item: { id: { S: id }, ...attributes },
          }),
        );
        const error = await repo.find({ id }).catch((e: unknown) => e);
        expect(error, property).to.be.instanceOf(MappingError);
        expect((error as MappingError).code).to.equal('MAPPING');
        expect((error as MappingError).entity).to.equal('Everything');
        expect((error as MappingError).property).to.equal(property);
        expect((error as MappingError).message).to.equal(message);
      }
    });
  });
}

it('the standard twins of the entities type-check with experimentalDecorators off', () => {
  expect(fixtures.diagnostics).to.deep.equal([]);
});
typeRoundTrips(legacyTypes);
typeRoundTrips(standardTypes);
