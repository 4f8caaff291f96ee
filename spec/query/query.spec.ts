import { expect } from 'chai';
import {
  ConditionBuilder,
  type ConditionInput,
  type Repository,
  type SortKeyCondition,
  type SortKeyConditionBuilder,
  TheoryDb,
  ValidationError,
} from '../../src';
import { type DynamoRecorder, recordingDynamo } from '../support/dynamo-recorder';
import { Order, expectCode, keysOf, orderFixtures, rejection } from './fixtures';

describe('Repository.query (DynamoDB Local)', () => {
  let recorder: DynamoRecorder;
  let orders: Repository<Order>;
  const fixtures = orderFixtures();
  const c1 = fixtures.filter((o) => o.customer === 'c1');

  before(async () => {
    recorder = await recordingDynamo();
    const db = new TheoryDb({ dynamodb: recorder.client });
    await db.createTable(Order, { ifNotExists: true });
    orders = db.repository(Order);
    await Promise.all(fixtures.map((order) => orders.save(order)));
  });

  beforeEach(() => recorder.clear());

  const ids = (items: readonly Pick<Order, 'orderId'>[]) => items.map((o) => o.orderId);
  const lastInput = () =>
    recorder.commands[recorder.commands.length - 1].input as Record<string, unknown>;

  describe('key conditions', () => {
    it('reads one partition in sort-key order, as real decrypted instances', async () => {
      const items = await orders.query({ customer: 'c1' }).all();
      expect(ids(items)).to.deep.equal(c1.map((o) => o.orderId));
      expect(items[0]).to.be.instanceOf(Order);
      expect(items[3].placedAt).to.be.instanceOf(Date);
      expect(items[3].placedAt.toISOString()).to.equal('2026-01-17T00:00:00.000Z');
      expect(items[3].tags).to.deep.equal(new Set(['vip', 'gift']));
      expect(items[4].tags).to.deep.equal(new Set(['std']));
      expect(recorder.names()).to.deep.equal(['QueryCommand']);
      expect(ids(await orders.query({ customer: 'c2' }).all())).to.deep.equal([
        'O#00',
        'O#01',
        'O#02',
      ]);
      expect(await orders.query({ customer: 'nobody' }).all()).to.deep.equal([]);
    });

    const cases: [string, (k: SortKeyConditionBuilder) => SortKeyCondition, string[]][] = [
      ['eq', (k) => k.eq('O#03'), ['O#03']],
      ['lt', (k) => k.lt('O#03'), ['O#00', 'O#01', 'O#02']],
      ['lte', (k) => k.lte('O#03'), ['O#00', 'O#01', 'O#02', 'O#03']],
      ['gt', (k) => k.gt('O#09'), ['O#10', 'O#11']],
      ['gte', (k) => k.gte('O#09'), ['O#09', 'O#10', 'O#11']],
      ['between', (k) => k.between('O#02', 'O#04'), ['O#02', 'O#03', 'O#04']],
      ['beginsWith', (k) => k.beginsWith('O#1'), ['O#10', 'O#11']],
    ];
    for (const [operator, build, expected] of cases) {
      it(`sortKey ${operator}`, async () => {
        expect(ids(await orders.query({ customer: 'c1' }).sortKey(build).all())).to.deep.equal(
          expected,
        );
      });
    }

    it('sortKey with the property named checks it is the sort key', async () => {
      const named = orders
        .query({ customer: 'c1' })
        .sortKey('orderId', (k) => k.between('O#05', 'O#06'));
      expect(ids(await named.all())).to.deep.equal(['O#05', 'O#06']);
      recorder.clear();
      const wrong = await rejection(() =>
        orders
          .query({ customer: 'c1' })
          .sortKey('name', (k) => k.eq('order-1'))
          .all(),
      );
      expectCode(wrong, ValidationError, 'VALIDATION');
      expect((wrong as Error).message).to.equal(
        'Order.name is not the sort key of the table (orderId); use filter() for other properties',
      );
      expect(recorder.count()).to.equal(0);
    });

    it('a later sortKey replaces an earlier one', async () => {
      const q = orders
        .query({ customer: 'c1' })
        .sortKey((k) => k.eq('O#01'))
        .sortKey((k) => k.eq('O#02'));
      expect(ids(await q.all())).to.deep.equal(['O#02']);
    });

    it('refuses bad partitions and sort-key values before sending anything', async () => {
      const attempts: [() => Promise<unknown>, string | RegExp][] = [
        [
          () => orders.query({ customer: 'c1', orderId: 'O#01' } as never).all(),
          'Order: query() on the table takes exactly its partition key { customer }; put a condition on orderId in .sortKey()',
        ],
        [
          () => orders.query({ status: 'open' }).all(),
          'Order: query() on the table takes exactly its partition key { customer }',
        ],
        [() => orders.query({} as never).all(), /takes exactly its partition key \{ customer \}/],
        [
          () => orders.query({ customer: 5 } as never).all(),
          'Order.customer must be a string, got number',
        ],
        [
          () => orders.query({ customer: '' }).all(),
          'Order.customer: a key condition value must not be empty',
        ],
        [() => orders.query({ nope: 'x' } as never).all(), "Order has no stored property 'nope'"],
        [() => orders.query(null as never).all(), /takes an object with the partition key/],
        [
          () =>
            orders
              .query({ customer: 'c1' })
              .sortKey((k) => k.eq(3))
              .all(),
          'Order.orderId must be a string, got number',
        ],
        [
          () =>
            orders
              .query({ status: 'open' })
              .index('byStatus')
              .sortKey((k) => k.beginsWith('1'))
              .all(),
          'Order.total: beginsWith needs a string or binary sort key; this one is a number',
        ],
        [
          () =>
            orders
              .query({ customer: 'c1' })
              .filter((c) => c.eq('orderId', 'O#01'))
              .all(),
          /Order.orderId is a key of the table and cannot be filtered in a query/,
        ],
        [
          () =>
            orders
              .query({ customer: 'c1' })
              .filter((c) => c.in('seq', []))
              .all(),
          "in('seq') needs 1 to 100 values, got 0",
        ],
      ];
      for (const [attempt, message] of attempts) {
        const error = await rejection(attempt);
        expectCode(error, ValidationError, 'VALIDATION');
        if (typeof message === 'string') expect((error as Error).message).to.equal(message);
        else expect((error as Error).message).to.match(message);
      }
      expect(recorder.count()).to.equal(0);
    });
  });

  describe('filters', () => {
    const byFilter: [string, ConditionInput<Order>, string[]][] = [
      [
        'eq on a reserved word (status)',
        (c) => c.eq('status', 'open'),
        ['O#00', 'O#02', 'O#04', 'O#06', 'O#08', 'O#10'],
      ],
      ['ne', (c) => c.ne('status', 'open'), ['O#01', 'O#03', 'O#05', 'O#07', 'O#09', 'O#11']],
      ['lt', (c) => c.lt('total', 30), ['O#00', 'O#01', 'O#02']],
      ['lte', (c) => c.lte('total', 30), ['O#00', 'O#01', 'O#02', 'O#03']],
      ['gt', (c) => c.gt('total', 90), ['O#10', 'O#11']],
      ['gte', (c) => c.gte('total', 90), ['O#09', 'O#10', 'O#11']],
      ['between', (c) => c.between('total', 20, 40), ['O#02', 'O#03', 'O#04']],
      ['in', (c) => c.in('seq', [1, 5, 7, 99]), ['O#01', 'O#05', 'O#07']],
      [
        'beginsWith on a reserved word (name)',
        (c) => c.beginsWith('name', 'order-1'),
        ['O#01', 'O#10', 'O#11'],
      ],
      ['contains on a string', (c) => c.contains('name', 'r-1'), ['O#01', 'O#10', 'O#11']],
      [
        'contains on a string set',
        (c) => c.contains('tags', 'vip'),
        ['O#00', 'O#03', 'O#06', 'O#09'],
      ],
      ['exists', (c) => c.exists('note'), ['O#00', 'O#04', 'O#08']],
      [
        'notExists',
        (c) => c.notExists('note'),
        ['O#01', 'O#02', 'O#03', 'O#05', 'O#06', 'O#07', 'O#09', 'O#10', 'O#11'],
      ],
      ['size of a set', (c) => c.size('tags').eq(2), ['O#00', 'O#03', 'O#06', 'O#09']],
      ['size of a string', (c) => c.size('name').gt(7), ['O#10', 'O#11']],
      [
        'eq on a reserved word (data)',
        (c) => c.eq('data', 'alpha'),
        ['O#00', 'O#01', 'O#02', 'O#03', 'O#04'],
      ],
      ['and', (c) => c.and(c.eq('data', 'beta'), c.eq('status', 'open')), ['O#06', 'O#08', 'O#10']],
      ['or', (c) => c.or(c.eq('seq', 0), c.gt('total', 100)), ['O#00', 'O#11']],
      ['not', (c) => c.not(c.lt('seq', 10)), ['O#10', 'O#11']],
      [
        'nested and/or/not',
        (c) =>
          c.and(c.or(c.eq('status', 'closed'), c.exists('note')), c.not(c.contains('tags', 'vip'))),
        ['O#01', 'O#04', 'O#05', 'O#07', 'O#08', 'O#11'],
      ],
    ];
    for (const [what, filter, expected] of byFilter) {
      it(`filter: ${what}`, async () => {
        expect(ids(await orders.query({ customer: 'c1' }).filter(filter).all())).to.deep.equal(
          expected,
        );
      });
    }

    it('ANDs several filter calls and keeps reserved words behind placeholders', async () => {
      const items = await orders
        .query({ customer: 'c1' })
        .filter((c) => c.eq('status', 'open'))
        .filter((c) => c.eq('data', 'beta'))
        .filter((c) => c.ne('name', 'order-8'))
        .all();
      expect(ids(items)).to.deep.equal(['O#06', 'O#10']);
      const input = lastInput();
      expect(input.KeyConditionExpression).to.equal('#n0 = :v0');
      expect(input.FilterExpression).to.equal('(#n1 = :v1) AND (#n2 = :v2) AND (#n3 <> :v3)');
      expect(input.ExpressionAttributeNames).to.deep.equal({
        '#n0': 'customer',
        '#n1': 'status',
        '#n2': 'data',
        '#n3': 'name',
      });
    });

    it('accepts a prebuilt condition as well as a callback', async () => {
      const condition = new ConditionBuilder<Order>().eq('seq', 101);
      expect(ids(await orders.query({ customer: 'c2' }).filter(condition).all())).to.deep.equal([
        'O#01',
      ]);
    });
  });

  describe('indexes', () => {
    it('queries a global secondary index, ordered by its sort key', async () => {
      const open = await orders.query({ status: 'open' }).index('byStatus').all();
      expect(open.map((o) => `${o.customer}/${o.total}`)).to.deep.equal([
        'c1/0',
        'c2/5',
        'c2/15',
        'c1/20',
        'c2/25',
        'c1/40',
        'c1/60',
        'c1/80',
        'c1/100',
      ]);
      expect(lastInput().IndexName).to.equal('byStatus');
      const ranged = await orders
        .query({ status: 'open' })
        .index('byStatus')
        .sortKey('total', (k) => k.between(10, 30))
        .reverse()
        .all();
      expect(ranged.map((o) => o.total)).to.deep.equal([25, 20, 15]);
    });

    it('queries a local secondary index, in the index order, strongly consistent if asked', async () => {
      const items = await orders
        .query({ customer: 'c1' })
        .index('byPlaced')
        .sortKey((k) => k.gte(new Date('2026-01-15T00:00:00.000Z')))
        .consistent()
        .all();
      expect(ids(items)).to.deep.equal(['O#05', 'O#04', 'O#03', 'O#02', 'O#01', 'O#00']);
      expect(lastInput().ConsistentRead).to.equal(true);
      expect(lastInput().IndexName).to.equal('byPlaced');
    });

    it('refuses an unknown index, and the table key on an index query', async () => {
      expect(() => orders.query({ customer: 'c1' }).index('nope')).to.throw(
        ValidationError,
        "Order has no index 'nope'; declared: 'byStatus', 'byPlaced'",
      );
      const error = await rejection(() => orders.query({ customer: 'c1' }).index('byStatus').all());
      expectCode(error, ValidationError, 'VALIDATION');
      expect((error as Error).message).to.equal(
        "Order: query() on index 'byStatus' takes exactly its partition key { status }",
      );
      expect(recorder.count()).to.equal(0);
    });

    it('refuses consistent() on a global index, in either order, before sending anything', () => {
      const message =
        /index 'byStatus' is a global secondary index, which DynamoDB cannot read with strong consistency/;
      expect(() => orders.query({ status: 'open' }).index('byStatus').consistent()).to.throw(
        ValidationError,
        message,
      );
      expect(() => orders.query({ status: 'open' }).consistent().index('byStatus')).to.throw(
        ValidationError,
        message,
      );
      expect(() => orders.scan().index('byStatus').consistent()).to.throw(ValidationError, message);
      expect(recorder.count()).to.equal(0);
    });

    it('refuses sortKey() without a condition-building function, before sending anything', () => {
      const query = orders.query({ customer: 'C#1' });
      const notAFunction = { eq: 'O#1' } as never;
      expect(() => query.sortKey(notAFunction)).to.throw(
        ValidationError,
        /sortKey\(\) needs a function/,
      );
      expect(() => query.sortKey('orderId', notAFunction)).to.throw(
        ValidationError,
        /needs a function/,
      );
      expect(recorder.count()).to.equal(0);
    });
  });

  describe('limit, reverse, consistent, select', () => {
    it('limits the items in total and sends Limit accordingly', async () => {
      expect(ids(await orders.query({ customer: 'c1' }).limit(3).all())).to.deep.equal([
        'O#00',
        'O#01',
        'O#02',
      ]);
      expect(lastInput().Limit).to.equal(3);
      expect(ids(await orders.query({ customer: 'c1' }).limit(50).all())).to.have.length(12);
      // With a filter DynamoDB's Limit counts items read, so the query reads on until it has 2.
      recorder.clear();
      const filtered = await orders
        .query({ customer: 'c1' })
        .filter((c) => c.gte('seq', 7))
        .limit(2)
        .all();
      expect(ids(filtered)).to.deep.equal(['O#07', 'O#08']);
      expect(recorder.count('QueryCommand')).to.be.greaterThan(1);
    });

    it('reverses the order', async () => {
      expect(ids(await orders.query({ customer: 'c1' }).reverse().limit(3).all())).to.deep.equal([
        'O#11',
        'O#10',
        'O#09',
      ]);
      expect(lastInput().ScanIndexForward).to.equal(false);
      expect(
        ids(
          await orders
            .query({ customer: 'c1' })
            .sortKey((k) => k.lt('O#02'))
            .reverse()
            .all(),
        ),
      ).to.deep.equal(['O#01', 'O#00']);
    });

    it('reads strongly consistent when asked, and eventually consistent by default', async () => {
      await orders.query({ customer: 'c1' }).all();
      expect(lastInput().ConsistentRead).to.equal(undefined);
      const items = await orders.query({ customer: 'c1' }).consistent().all();
      expect(items).to.have.length(12);
      expect(lastInput().ConsistentRead).to.equal(true);
    });

    it('selects properties: instances carry exactly those; only they and the queried keys are fetched', async () => {
      const items = await orders
        .query({ customer: 'c1' })
        .select('orderId', 'total', 'name')
        .limit(2)
        .all();
      expect(items.map(keysOf)).to.deep.equal([
        ['name', 'orderId', 'total'],
        ['name', 'orderId', 'total'],
      ]);
      expect(items[1]).to.be.instanceOf(Order);
      expect(items[1]).to.deep.include({ orderId: 'O#01', total: 10, name: 'order-1' });
      const input = lastInput();
      const names = input.ExpressionAttributeNames as Record<string, string>;
      // The partition key queried is fetched too, to check the response against it (hole 5).
      expect(input.ProjectionExpression).to.equal(
        ['orderId', 'total', 'name', 'customer']
          .map((a) => Object.keys(names).find((k) => names[k] === a))
          .join(', '),
      );
      expect(Object.values(names).sort()).to.deep.equal(['customer', 'name', 'orderId', 'total']);
    });

    it('refuses select() of nothing or of an unknown property', () => {
      expect(() => orders.query({ customer: 'c1' }).select()).to.throw(
        ValidationError,
        'Order: select() needs at least one property',
      );
      expect(() => orders.query({ customer: 'c1' }).select('nope' as never)).to.throw(
        ValidationError,
        "Order has no stored property 'nope'",
      );
    });

    it('refuses limits and page sizes that are not positive integers', async () => {
      const q = orders.query({ customer: 'c1' });
      for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
        expect(() => q.limit(bad)).to.throw(
          ValidationError,
          'Order: limit() must be an integer >= 1',
        );
        expect(() => q.pageSize(bad)).to.throw(
          ValidationError,
          'Order: pageSize() must be an integer >= 1',
        );
        expectCode(await rejection(() => q.page({ size: bad })), ValidationError, 'VALIDATION');
      }
      expect(recorder.count()).to.equal(0);
    });
  });

  describe('types', () => {
    it('checks partitions, property names and selections at compile time', () => {
      // Never called: these lines only have to type-check (or fail to, where marked).
      const typed = async () => {
        // @ts-expect-error two key properties in a partition
        orders.query({ customer: 'c1', orderId: 'O#01' });
        // @ts-expect-error a property that cannot be a key
        orders.query({ tags: new Set(['x']) });
        // @ts-expect-error a key value of the wrong type
        orders.query({ customer: 1 });
        // @ts-expect-error an unknown property in a filter
        orders.scan().filter((c) => c.eq('nope', 1));
        // @ts-expect-error a filter value of the wrong type
        orders.scan().filter((c) => c.eq('total', 'ten'));
        // @ts-expect-error a sort-key value of the wrong type for the named property
        orders.query({ customer: 'c1' }).sortKey('orderId', (k) => k.eq(1));
        const [picked] = await orders.query({ customer: 'c1' }).select('orderId', 'total').all();
        const total: number = picked.total;
        // @ts-expect-error not selected
        const missing: unknown = picked.name;
        return [total, missing];
      };
      expect(typed).to.be.a('function');
    });
  });

  describe('immutability', () => {
    it('returns new frozen builders and never changes the one it was called on', async () => {
      const base = orders.query({ customer: 'c1' });
      const refined = base
        .filter((c) => c.eq('status', 'open'))
        .limit(2)
        .reverse();
      expect(Object.isFrozen(base)).to.equal(true);
      expect(Object.isFrozen(refined)).to.equal(true);
      expect(refined).to.not.equal(base);
      expect(base.limit(1)).to.not.equal(base.limit(1));
      expect(ids(await refined.all())).to.deep.equal(['O#10', 'O#08']);
      expect(ids(await base.all())).to.have.length(12);
      expect(() => {
        (base as unknown as Record<string, unknown>).spec = {};
      }).to.throw(TypeError);
    });

    it('copies the partition object, so changing it later changes nothing', async () => {
      const partition = { customer: 'c2' };
      const q = orders.query(partition);
      partition.customer = 'c1';
      expect(ids(await q.all())).to.deep.equal(['O#00', 'O#01', 'O#02']);
    });
  });
});
