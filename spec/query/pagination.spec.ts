import { expect } from 'chai';
import {
  InvalidCursorError,
  type QueryBuilder,
  type ReadPage,
  type Repository,
  TheoryDb,
} from '../../src';
import { type DynamoRecorder, recordingDynamo } from '../support/dynamo-recorder';
import { Event, Order, expectCode, orderFixtures, rejection } from './fixtures';

/** Every page of `query`, following cursors. */
async function allPages<R>(
  read: (cursor: string | undefined) => Promise<ReadPage<R>>,
): Promise<ReadPage<R>[]> {
  const pages: ReadPage<R>[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    pages.push(page);
    cursor = page.cursor;
    if (pages.length > 100) expect.fail('runaway pagination');
  } while (cursor !== undefined);
  return pages;
}

describe('query and scan pagination (DynamoDB Local)', () => {
  let recorder: DynamoRecorder;
  let db: TheoryDb;
  let events: Repository<Event>;
  let orders: Repository<Order>;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  before(async () => {
    recorder = await recordingDynamo();
    db = new TheoryDb({ dynamodb: recorder.client });
    await Promise.all([
      db.createTable(Event, { ifNotExists: true }),
      db.createTable(Order, { ifNotExists: true }),
    ]);
    events = db.repository(Event);
    orders = db.repository(Order);
    const stream = (name: string, count: number) =>
      range(count).map((n) =>
        Object.assign(new Event(), { stream: name, n, hit: n % 20 === 0, status: 'ok' }),
      );
    await Promise.all([...stream('p', 60), ...stream('q', 5)].map((e) => events.save(e)));
    await Promise.all(orderFixtures().map((o) => orders.save(o)));
  });

  beforeEach(() => recorder.clear());

  const numbers = (items: readonly Event[]) => items.map((e) => e.n);

  describe('pages', () => {
    it('walks 60 items in pages of 7 with one request per page', async () => {
      const q = events.query({ stream: 'p' });
      const pages = await allPages((cursor) => q.page({ cursor, size: 7 }));
      expect(pages.map((p) => p.items.length)).to.deep.equal([7, 7, 7, 7, 7, 7, 7, 7, 4]);
      expect(pages.map((p) => p.cursor === undefined)).to.deep.equal([
        ...Array<boolean>(8).fill(false),
        true,
      ]);
      expect(numbers(pages.flatMap((p) => p.items))).to.deep.equal(range(60));
      expect(recorder.count('QueryCommand')).to.equal(9);
      expect(recorder.commands.map((c) => (c.input as { Limit?: number }).Limit)).to.deep.equal(
        Array<number>(9).fill(7),
      );
    });

    it('returns empty pages with a cursor where the filter matched nothing, and goes on', async () => {
      const q = events.query({ stream: 'p' }).filter((c) => c.eq('hit', true));
      const pages = await allPages((cursor) => q.page({ cursor, size: 7 }));
      expect(pages.map((p) => numbers(p.items))).to.deep.equal([
        [0],
        [],
        [20],
        [],
        [],
        [40],
        [],
        [],
        [],
      ]);
      expect(pages.slice(0, 8).every((p) => typeof p.cursor === 'string')).to.equal(true);
    });

    it('all(), iteration and count() return exactly the matches across emptied pages', async () => {
      const q = events
        .query({ stream: 'p' })
        .filter((c) => c.eq('hit', true))
        .pageSize(7);
      expect(numbers(await q.all())).to.deep.equal([0, 20, 40]);
      expect(recorder.count('QueryCommand')).to.equal(9);
      const iterated: number[] = [];
      for await (const e of q) iterated.push(e.n);
      expect(iterated).to.deep.equal([0, 20, 40]);
      recorder.clear();
      expect(await q.count()).to.equal(3);
      expect(recorder.count('QueryCommand')).to.equal(9);
      expect((recorder.commands[0].input as { Select?: string }).Select).to.equal('COUNT');
      expect(numbers(await q.limit(2).all())).to.deep.equal([0, 20]);
      expect(await q.limit(2).count()).to.equal(2);
    });

    it('counts with and without filters, key conditions and limits', async () => {
      expect(await events.query({ stream: 'p' }).count()).to.equal(60);
      expect(await events.query({ stream: 'q' }).count()).to.equal(5);
      expect(await events.query({ stream: 'none' }).count()).to.equal(0);
      expect(
        await events
          .query({ stream: 'p' })
          .sortKey((k) => k.gte(30))
          .count(),
      ).to.equal(30);
      expect(
        await events
          .query({ stream: 'p' })
          .filter((c) => c.eq('hit', false))
          .count(),
      ).to.equal(57);
      expect(await events.query({ stream: 'p' }).limit(50).count()).to.equal(50);
      expect(await events.query({ stream: 'p' }).pageSize(8).limit(19).count()).to.equal(19);
      expect(await events.scan().count()).to.equal(65);
      expect(
        await events
          .scan()
          .filter((c) => c.eq('hit', true))
          .count(),
      ).to.equal(4);
    });

    it('iterates lazily: breaking out after the first item sends one request', async () => {
      for await (const e of events.query({ stream: 'p' }).pageSize(7)) {
        expect(e.n).to.equal(0);
        break;
      }
      expect(recorder.count('QueryCommand')).to.equal(1);
    });

    it('iterates with a limit across pages and stops reading at the limit', async () => {
      const q = events.query({ stream: 'p' }).pageSize(7).limit(10);
      expect(numbers(await q.all())).to.deep.equal(range(10));
      // 7, then the 3 still wanted: DynamoDB is never asked for more than the limit needs.
      expect(recorder.commands.map((c) => (c.input as { Limit?: number }).Limit)).to.deep.equal([
        7, 3,
      ]);
    });

    it('pages in reverse', async () => {
      const q = events.query({ stream: 'p' }).reverse();
      const pages = await allPages((cursor) => q.page({ cursor, size: 25 }));
      expect(numbers(pages.flatMap((p) => p.items))).to.deep.equal(range(60).reverse());
      expect(pages).to.have.length(3);
    });

    it('pages an index query and a scan', async () => {
      const gsi = orders.query({ status: 'open' }).index('byStatus');
      const gsiPages = await allPages((cursor) => gsi.page({ cursor, size: 2 }));
      expect(gsiPages.flatMap((p) => p.items).map((o) => o.total)).to.deep.equal([
        0, 5, 15, 20, 25, 40, 60, 80, 100,
      ]);
      const lsi = orders.query({ customer: 'c1' }).index('byPlaced');
      const lsiPages = await allPages((cursor) => lsi.page({ cursor, size: 5 }));
      expect(lsiPages.flatMap((p) => p.items).map((o) => o.seq)).to.deep.equal(range(12).reverse());
      const scanPages = await allPages((cursor) => events.scan().page({ cursor, size: 10 }));
      const scanned = scanPages.flatMap((p) => p.items).map((e) => `${e.stream}${e.n}`);
      expect(scanned).to.have.length(65);
      expect(new Set(scanned).size).to.equal(65);
    });

    it('a page with no more items after it has no cursor; a page that ends exactly may have one', async () => {
      const whole = await events.query({ stream: 'q' }).page();
      expect(numbers(whole.items)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(whole.cursor).to.equal(undefined);
      const exact = await events.query({ stream: 'q' }).page({ size: 5 });
      expect(exact.items).to.have.length(5);
      if (exact.cursor !== undefined) {
        const after = await events.query({ stream: 'q' }).page({ size: 5, cursor: exact.cursor });
        expect(after).to.deep.equal({ items: [] });
      }
    });
  });

  describe('cursors', () => {
    let cursor: string;
    const pQuery = () => events.query({ stream: 'p' });

    before(async () => {
      const first = await pQuery().page({ size: 7 });
      cursor = first.cursor as string;
    });

    it('round-trips: the cursor continues the same query, even from a new builder', async () => {
      expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
      const second = await pQuery().page({ cursor, size: 7 });
      expect(numbers(second.items)).to.deep.equal(range(14).slice(7));
      // Filter, projection and page size may change between pages.
      const filtered = await pQuery()
        .filter((c) => c.eq('hit', false))
        .select('n')
        .page({ cursor, size: 5 });
      expect(filtered.items.map((e) => ({ ...e }))).to.deep.equal(
        range(12)
          .slice(7)
          .map((n) => ({ n })),
      );
      expect(filtered.items[0]).to.be.instanceOf(Event);
    });

    it('refuses a cursor of another query before sending anything', async () => {
      const scanCursor = (await events.scan().page({ size: 3 })).cursor as string;
      const segmentCursor = (await events.scan().segments(2).page({ size: 3 })).cursor as string;
      const orderCursor = (await orders.query({ customer: 'c1' }).page({ size: 2 }))
        .cursor as string;
      recorder.clear();
      const misuse: [string, () => Promise<unknown>][] = [
        ['another partition', () => events.query({ stream: 'q' }).page({ cursor })],
        ['the same partition in reverse', () => pQuery().reverse().page({ cursor })],
        ['a scan', () => events.scan().page({ cursor })],
        ['a scan cursor on a query', () => pQuery().page({ cursor: scanCursor })],
        [
          'a segmented scan cursor on a plain scan',
          () => events.scan().page({ cursor: segmentCursor }),
        ],
        [
          'a plain scan cursor on a segmented scan',
          () => events.scan().segments(2).page({ cursor: scanCursor }),
        ],
        ['other segmentation', () => events.scan().segments(3).page({ cursor: segmentCursor })],
        ['another entity', () => orders.query({ customer: 'c1' }).page({ cursor })],
        [
          'another index',
          () => orders.query({ customer: 'c1' }).index('byPlaced').page({ cursor: orderCursor }),
        ],
        [
          'a global index',
          () => orders.query({ status: 'c1' }).index('byStatus').page({ cursor: orderCursor }),
        ],
        [
          'another partition of the entity',
          () => orders.query({ customer: 'c2' }).page({ cursor: orderCursor }),
        ],
      ];
      for (const [what, attempt] of misuse) {
        const error = await rejection(attempt);
        expectCode(error, InvalidCursorError, 'INVALID_CURSOR');
        expect((error as Error).message, what).to.match(/altered or belongs to another query/);
      }
      expect(recorder.count()).to.equal(0);
    });

    it('refuses a cursor signed with another cursor key, and accepts one from a shared key', async () => {
      const other = new TheoryDb({ dynamodb: recorder.client });
      const foreign = await rejection(() =>
        other.repository(Event).query({ stream: 'p' }).page({ cursor }),
      );
      expectCode(foreign, InvalidCursorError, 'INVALID_CURSOR');
      const key = new Uint8Array(32).fill(7);
      const a = new TheoryDb({ dynamodb: recorder.client, cursorKey: key });
      const b = new TheoryDb({ dynamodb: recorder.client, cursorKey: key });
      const fromA = await a.repository(Event).query({ stream: 'p' }).page({ size: 30 });
      const fromB = await b.repository(Event).query({ stream: 'p' }).page({ cursor: fromA.cursor });
      expect(numbers(fromB.items)).to.deep.equal(range(60).slice(30));
    });

    it('refuses every single-character change, truncation and extension', async () => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const q = pQuery();
      const variants: string[] = [];
      for (let i = 0; i < cursor.length; i += 1) {
        const current = alphabet.indexOf(cursor[i]);
        for (const shift of [1, 32]) {
          const replaced = alphabet[(current + shift) % alphabet.length];
          variants.push(cursor.slice(0, i) + replaced + cursor.slice(i + 1));
        }
      }
      variants.push(
        cursor.slice(0, -1),
        cursor.slice(0, -4),
        cursor.slice(1),
        cursor.slice(0, cursor.length >> 1),
      );
      variants.push(`${cursor}A`, `${cursor}AAAA`, `A${cursor}`, `${cursor}=`, `${cursor}==`);
      expect(variants.length).to.be.greaterThan(2 * 60);
      for (const variant of variants) {
        expect(variant).to.not.equal(cursor);
        const error = await rejection(() => q.page({ cursor: variant }));
        expectCode(error, InvalidCursorError, 'INVALID_CURSOR');
      }
      expect(recorder.count()).to.equal(0);
    });

    it('refuses garbage and says nothing of what it was given', async () => {
      const q = pQuery();
      const tagless = Buffer.concat([
        Buffer.of(1),
        Buffer.from('{"k":{"stream":{"S":"p"},"n":{"N":"9"}}}'),
      ]);
      const garbage: unknown[] = [
        '',
        ' ',
        'abc',
        '!!!!',
        'eyJrIjp7fX0',
        tagless.toString('base64url'),
        Buffer.alloc(64, 0xab).toString('base64url'),
        Buffer.concat([Buffer.of(2), Buffer.from(cursor, 'base64url').subarray(1)]).toString(
          'base64url',
        ),
        // The cursor in standard base64: garbage only when that differs from its base64url form
        // (a cursor with no '-' or '_' and no padding is the same text, and would be valid).
        ...[Buffer.from(cursor, 'base64url').toString('base64')].filter((text) => text !== cursor),
        'A'.repeat(20_000),
        'A'.repeat(300_000),
        12345,
        null,
        { k: {} },
      ];
      for (const value of garbage) {
        const error = await rejection(() => q.page({ cursor: value as string }));
        expectCode(error, InvalidCursorError, 'INVALID_CURSOR');
        expect((error as Error).message).to.match(/^Event: /);
        if (typeof value === 'string' && value.length > 3) {
          expect((error as Error).message).to.not.include(value);
        }
      }
      expect(recorder.count()).to.equal(0);
    });

    it('is sealed: version 1, and no attribute name or value readable in it', () => {
      const bytes = Buffer.from(cursor, 'base64url');
      expect(bytes[0]).to.equal(1);
      const text = bytes.toString('latin1');
      for (const readable of ['stream', '"S"', '"N"', '"k"']) expect(text).to.not.include(readable);
      // version + nonce + a payload of at least a few bytes + tag
      expect(bytes.length).to.be.greaterThan(1 + 12 + 16 + 8);
    });

    it('works with the cursor of a query built from a base builder', async () => {
      const base: QueryBuilder<Event> = pQuery().pageSize(7);
      const first = await base.page();
      const second = await base.page({ cursor: first.cursor });
      expect(numbers(second.items)).to.deep.equal(range(14).slice(7));
    });
  });
});
