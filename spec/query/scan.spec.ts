import { expect } from 'chai';
import { type ReadPage, type Repository, TheoryDb, ValidationError } from '../../src';
import { type DynamoRecorder, recordingDynamo } from '../support/dynamo-recorder';
import { Order, Row, concurrencyProbe, keysOf, orderFixtures } from './fixtures';

describe('Repository.scan (DynamoDB Local)', () => {
  let recorder: DynamoRecorder;
  let probe: ReturnType<typeof concurrencyProbe>;
  let rows: Repository<Row>;
  let orders: Repository<Order>;
  const ROWS = 50;
  const allIds = Array.from({ length: ROWS }, (_, i) => `r${String(i).padStart(2, '0')}`);

  before(async () => {
    recorder = await recordingDynamo();
    probe = concurrencyProbe(recorder.client);
    const db = new TheoryDb({ dynamodb: recorder.client });
    await Promise.all([
      db.createTable(Row, { ifNotExists: true }),
      db.createTable(Order, { ifNotExists: true }),
    ]);
    rows = db.repository(Row);
    orders = db.repository(Order);
    await Promise.all(
      allIds.map((id, n) =>
        rows.save(Object.assign(new Row(), { id, n, group: n % 5 === 0 ? 'five' : 'other' })),
      ),
    );
    await Promise.all(orderFixtures().map((o) => orders.save(o)));
  });

  beforeEach(() => {
    recorder.clear();
    probe.reset();
  });

  const sortedIds = (items: readonly Pick<Row, 'id'>[]) => items.map((r) => r.id).sort();
  const scanInputs = () =>
    recorder.commands
      .filter((c) => c.name === 'ScanCommand')
      .map((c) => c.input as { Segment?: number; TotalSegments?: number; Limit?: number });

  it('scans the whole table with filters, projection, limit and consistency', async () => {
    const all = await rows.scan().all();
    expect(sortedIds(all)).to.deep.equal(allIds);
    expect(all[0]).to.be.instanceOf(Row);
    const fives = await rows
      .scan()
      .filter((c) => c.eq('group', 'five'))
      .filter((c) => c.lt('n', 30))
      .all();
    expect(sortedIds(fives)).to.deep.equal(['r00', 'r05', 'r10', 'r15', 'r20', 'r25']);
    const projected = await rows.scan().select('n').consistent().all();
    expect(projected.map(keysOf).every((k) => k.join() === 'n')).to.equal(true);
    expect(projected.map((r) => r.n).sort((a, b) => a - b)).to.deep.equal(allIds.map((_, i) => i));
    const input = recorder.commands[recorder.commands.length - 1].input as Record<string, unknown>;
    expect(input.ConsistentRead).to.equal(true);
    expect(input.ProjectionExpression).to.equal('#n0');
    expect(await rows.scan().limit(7).all()).to.have.length(7);
    expect(await rows.scan().count()).to.equal(ROWS);
    expect(
      await rows
        .scan()
        .filter((c) => c.eq('group', 'five'))
        .count(),
    ).to.equal(10);
  });

  it('scans a secondary index', async () => {
    const open = await orders
      .scan()
      .index('byStatus')
      .filter((c) => c.and(c.eq('status', 'open'), c.gt('total', 20)))
      .all();
    expect(open.map((o) => o.total).sort((a, b) => a - b)).to.deep.equal([25, 40, 60, 80, 100]);
    expect(() => rows.scan().index('byStatus')).to.throw(
      ValidationError,
      "Row has no index 'byStatus'; it declares no @Index",
    );
  });

  it('a parallel scan covers the table exactly once, with bounded concurrency', async () => {
    const items = await rows.scan().segments(4, { concurrency: 2 }).pageSize(4).all();
    expect(items).to.have.length(ROWS);
    expect(sortedIds(items)).to.deep.equal(allIds);
    const inputs = scanInputs();
    expect(new Set(inputs.map((i) => i.Segment))).to.deep.equal(new Set([0, 1, 2, 3]));
    expect(inputs.every((i) => i.TotalSegments === 4 && i.Limit === 4)).to.equal(true);
    expect(inputs.length).to.be.greaterThan(4);
    expect(probe.max()).to.be.at.most(2);
    expect(probe.max()).to.equal(2);
  });

  it('iterates a parallel scan, counts it, and honours a limit', async () => {
    const seen: string[] = [];
    for await (const row of rows.scan().segments(3).pageSize(5)) seen.push(row.id);
    expect(seen.sort()).to.deep.equal(allIds);
    expect(await rows.scan().segments(5, { concurrency: 3 }).pageSize(4).count()).to.equal(ROWS);
    expect(
      await rows
        .scan()
        .segments(5)
        .filter((c) => c.eq('group', 'five'))
        .count(),
    ).to.equal(10);
    const limited = await rows.scan().segments(4, { concurrency: 4 }).pageSize(3).limit(9).all();
    expect(limited).to.have.length(9);
    expect(new Set(limited.map((r) => r.id)).size).to.equal(9);
    expect(await rows.scan().segments(4).limit(9).count()).to.equal(9);
    // More segments than items: empty segments are fine.
    const many = await rows.scan().segments(64, { concurrency: 8 }).all();
    expect(sortedIds(many)).to.deep.equal(allIds);
  });

  it('pages a parallel scan: each page reads its segments together, the cursor keeps them all', async () => {
    const q = rows.scan().segments(4, { concurrency: 2 });
    const pages: ReadPage<Row>[] = [];
    let cursor: string | undefined;
    do {
      recorder.clear();
      const page = await q.page({ cursor, size: 6 });
      const inputs = scanInputs();
      expect(inputs.length).to.be.at.most(2);
      expect(inputs.every((i) => i.Limit === 6 && i.TotalSegments === 4)).to.equal(true);
      pages.push(page);
      cursor = page.cursor;
      if (pages.length > 50) expect.fail('runaway pagination');
    } while (cursor !== undefined);
    const ids = pages.flatMap((p) => p.items.map((r) => r.id));
    expect(ids).to.have.length(ROWS);
    expect(ids.sort()).to.deep.equal(allIds);
    expect(pages.length).to.be.greaterThan(4);
  });

  it('a parallel scan with a filter that empties segments still returns exactly the matches', async () => {
    const matches = await rows
      .scan()
      .segments(4, { concurrency: 2 })
      .pageSize(2)
      .filter((c) => c.eq('n', 37))
      .all();
    expect(matches.map((r) => r.id)).to.deep.equal(['r37']);
  });

  it('refuses invalid segmentations', () => {
    expect(() => rows.scan().segments(0)).to.throw(
      ValidationError,
      'Row: segments() must be an integer from 1 to 1000000',
    );
    expect(() => rows.scan().segments(2.5)).to.throw(ValidationError);
    expect(() => rows.scan().segments(1_000_001)).to.throw(ValidationError);
    expect(() => rows.scan().segments(4, { concurrency: 0 })).to.throw(
      ValidationError,
      'Row: segments() concurrency must be an integer >= 1',
    );
  });
});
