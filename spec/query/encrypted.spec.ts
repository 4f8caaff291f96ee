import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { EncryptionError, type Repository, TheoryDb } from '../../src';
import type { LocalKms } from '../../src/testing';
import { type DynamoRecorder, recordingDynamo } from '../support/dynamo-recorder';
import { sharedKms } from '../support/stack';
import { Secret, expectCode, keysOf, rejection } from './fixtures';

describe('queries and scans of encrypted entities (DynamoDB Local + LocalKms)', () => {
  let kms: LocalKms;
  let recorder: DynamoRecorder;
  let db: TheoryDb;
  let secrets: Repository<Secret>;
  const secret = (owner: string, i: number) =>
    Object.assign(new Secret(), {
      owner,
      id: `s${i}`,
      label: `L${i % 2}`,
      kind: i < 3 ? 'api' : 'ssh',
      token: `tok-${owner}-${i}`,
      pin: 1000 + i,
    });

  before(async () => {
    kms = await sharedKms();
    const alias = `alias/query-spec-${process.pid}`;
    await kms.createKey({ alias });
    recorder = await recordingDynamo();
    db = new TheoryDb({ dynamodb: recorder.client, kms: { client: kms.client(), keyId: alias } });
    await db.createTable(Secret, { ifNotExists: true });
    secrets = db.repository(Secret);
    const saved = [
      ...Array.from({ length: 6 }, (_, i) => secret('alice', i)),
      ...Array.from({ length: 5 }, (_, i) => secret('tamper', i)),
    ];
    await Promise.all(saved.map((s) => secrets.save(s)));
  });

  beforeEach(() => {
    recorder.clear();
    kms.resetCalls();
  });

  const rawKey = (owner: string, id: string) => ({ owner: { S: owner }, id: { S: id } });

  it('decrypts every item of a query, a scan and an index query', async () => {
    const items = await secrets.query({ owner: 'alice' }).all();
    expect(items.map((s) => [s.id, s.token, s.pin])).to.deep.equal(
      Array.from({ length: 6 }, (_, i) => [`s${i}`, `tok-alice-${i}`, 1000 + i]),
    );
    const byLabel = await secrets.query({ label: 'L1' }).index('byLabel').all();
    expect(byLabel.map((s) => s.token).sort()).to.deep.equal([
      'tok-alice-1',
      'tok-alice-3',
      'tok-alice-5',
      'tok-tamper-1',
      'tok-tamper-3',
    ]);
    const scanned = await secrets
      .scan()
      .filter((c) => c.eq('owner', 'alice'))
      .all();
    expect(scanned.map((s) => s.token).sort()).to.deep.equal(items.map((s) => s.token));
  });

  it('makes one Decrypt per distinct data key per page, not one per value', async () => {
    // Each save made its own data key (cache off), shared by the item's two encrypted fields.
    await secrets.query({ owner: 'alice' }).all();
    expect(kms.calls('Decrypt')).to.equal(6);
    expect(kms.calls('GenerateDataKey')).to.equal(0);
    kms.resetCalls();
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await secrets.query({ owner: 'alice' }).page({ cursor, size: 4 });
      pages.push(page.items.length);
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(pages).to.deep.equal([4, 2]);
    expect(kms.calls('Decrypt')).to.equal(6);
    kms.resetCalls();
    expect(await secrets.query({ owner: 'alice' }).count()).to.equal(6);
    expect(kms.calls()).to.equal(0);
  });

  it('a projection with an encrypted field fetches the keys, decrypts, and returns only the selection', async () => {
    const items = await secrets.query({ owner: 'alice' }).select('token', 'kind').limit(2).all();
    expect(items.map(keysOf)).to.deep.equal([
      ['kind', 'token'],
      ['kind', 'token'],
    ]);
    expect(items.map((s) => s.token)).to.deep.equal(['tok-alice-0', 'tok-alice-1']);
    expect(items[0]).to.be.instanceOf(Secret);
    const input = recorder.commands[0].input as {
      ProjectionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
    };
    const projected = input.ProjectionExpression.split(', ').map(
      (p) => input.ExpressionAttributeNames[p],
    );
    // v2: the values come from the envelope `__td`; `token` stays projected so a value planted
    // under its name is still seen (and refused).
    expect(projected).to.deep.equal(['token', 'kind', 'owner', 'id', '__td']);
    const scanned = await secrets.scan().select('pin').all();
    expect(scanned).to.have.length(11);
    expect(scanned.every((s) => keysOf(s).join() === 'pin' && typeof s.pin === 'number')).to.equal(
      true,
    );
  });

  it('a projection without encrypted fields fetches only what was selected', async () => {
    const items = await secrets.query({ owner: 'alice' }).select('kind').all();
    expect(items.map((s) => ({ ...s }))).to.deep.equal([
      { kind: 'api' },
      { kind: 'api' },
      { kind: 'api' },
      { kind: 'ssh' },
      { kind: 'ssh' },
      { kind: 'ssh' },
    ]);
    const input = recorder.commands[0].input as {
      ExpressionAttributeNames: Record<string, string>;
    };
    expect(Object.values(input.ExpressionAttributeNames).sort()).to.deep.equal(['kind', 'owner']);
    expect(kms.calls()).to.equal(0);
  });

  // v2: whether an encrypted field is set is sealed in the envelope too, so DynamoDB cannot test
  // it: exists/notExists are refused like every other condition on an encrypted field.
  it('refuses exists/notExists on an encrypted field before sending anything', async () => {
    recorder.clear();
    kms.resetCalls();
    const attempts: [string, () => Promise<unknown>][] = [
      [
        'exists',
        () =>
          secrets
            .query({ owner: 'alice' })
            .filter((c) => c.exists('token'))
            .count(),
      ],
      [
        'notExists',
        () =>
          secrets
            .query({ owner: 'alice' })
            .filter((c) => c.notExists('pin'))
            .all(),
      ],
      [
        'notExists in a scan',
        () =>
          secrets
            .scan()
            .filter((c) => c.notExists('token'))
            .page(),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const error = await rejection(attempt);
      expectCode(error, EncryptionError, 'ENCRYPTED_FIELD_NOT_QUERYABLE');
      expect((error as EncryptionError).entity, what).to.equal('QSecret');
      expect(['token', 'pin'], what).to.include((error as EncryptionError).field);
    }
    expect(recorder.count()).to.equal(0);
    expect(kms.calls()).to.equal(0);
  });

  it('refuses encrypted fields in filters, sort-key conditions and partitions before sending anything', async () => {
    const attempts: [string, () => Promise<unknown>][] = [
      [
        'filter eq',
        () =>
          secrets
            .query({ owner: 'alice' })
            .filter((c) => c.eq('token', 'tok-alice-1'))
            .all(),
      ],
      [
        'filter nested',
        () =>
          secrets
            .query({ owner: 'alice' })
            .filter((c) => c.or(c.eq('kind', 'api'), c.not(c.gt('pin', 3))))
            .page(),
      ],
      [
        'filter beginsWith',
        () =>
          secrets
            .scan()
            .filter((c) => c.beginsWith('token', 'tok'))
            .all(),
      ],
      [
        'filter size',
        () =>
          secrets
            .scan()
            .filter((c) => c.size('token').gt(3))
            .count(),
      ],
      [
        'filter contains',
        () =>
          secrets
            .scan()
            .segments(2)
            .filter((c) => c.contains('token', 'x'))
            .all(),
      ],
      [
        'sortKey',
        () =>
          secrets
            .query({ owner: 'alice' })
            .sortKey('token', (k) => k.eq('tok-alice-1'))
            .all(),
      ],
      [
        'sortKey on an index',
        () =>
          secrets
            .query({ label: 'L1' })
            .index('byLabel')
            .sortKey('pin', (k) => k.gt(1))
            .count(),
      ],
      ['partition', () => secrets.query({ token: 'tok-alice-1' }).all()],
    ];
    for (const [what, attempt] of attempts) {
      const error = await rejection(attempt);
      expectCode(error, EncryptionError, 'ENCRYPTED_FIELD_NOT_QUERYABLE');
      expect((error as EncryptionError).entity, what).to.equal('QSecret');
      expect(['token', 'pin']).to.include((error as EncryptionError).field);
      expect((error as Error).message).to.not.include('tok-alice');
    }
    expect(recorder.count()).to.equal(0);
    expect(kms.calls()).to.equal(0);
  });

  it('never puts encrypted values in a cursor', async () => {
    const { cursor } = await secrets.query({ owner: 'alice' }).page({ size: 2 });
    const text = Buffer.from(cursor as string, 'base64url').toString('latin1');
    // Cursors are sealed: not even the key values they carry can be read from them.
    expect(text).to.not.include('alice');
    expect(text).to.not.include('tok-');
    expect(text).to.not.include('1001');
  });

  describe('a tampered item', () => {
    before(async () => {
      const client = recorder.client;
      const table = secrets.metadata.table;
      const { Item } = await client.send(
        new GetItemCommand({ TableName: table, Key: rawKey('tamper', 's3') }),
      );
      // v2: the item's one envelope, sealing both token and pin.
      const envelope = Buffer.from(Item!.__td.B!);
      envelope[envelope.length - 5] ^= 0x01;
      await client.send(
        new PutItemCommand({ TableName: table, Item: { ...Item!, __td: { B: envelope } } }),
      );
    });

    it('fails the whole page with INTEGRITY and returns none of its items', async () => {
      const error = await rejection(() => secrets.query({ owner: 'tamper' }).page());
      expectCode(error, EncryptionError, 'INTEGRITY');
      // The envelope's error names its first encrypted field.
      expect((error as EncryptionError).field).to.equal('token');
      expectCode(
        await rejection(() => secrets.query({ owner: 'tamper' }).all()),
        EncryptionError,
        'INTEGRITY',
      );
      expectCode(await rejection(() => secrets.scan().all()), EncryptionError, 'INTEGRITY');
      expectCode(
        await rejection(() => secrets.scan().segments(3).all()),
        EncryptionError,
        'INTEGRITY',
      );
    });

    it('fails exactly the page holding it; pages before it were complete', async () => {
      const first = await secrets.query({ owner: 'tamper' }).page({ size: 2 });
      expect(first.items.map((s) => s.token)).to.deep.equal(['tok-tamper-0', 'tok-tamper-1']);
      const second = await rejection(() =>
        secrets.query({ owner: 'tamper' }).page({ size: 2, cursor: first.cursor }),
      );
      expectCode(second, EncryptionError, 'INTEGRITY');
      const seen: string[] = [];
      const iterated = await rejection(async () => {
        for await (const s of secrets.query({ owner: 'tamper' }).pageSize(2)) seen.push(s.id);
      });
      expectCode(iterated, EncryptionError, 'INTEGRITY');
      // s2 is intact but shares the failed page with s3: nothing of that page is returned.
      expect(seen).to.deep.equal(['s0', 's1']);
      // A projection of plain properties only does not read the envelope and reads fine; one that
      // needs any encrypted field opens the tampered envelope and fails (v2: the envelope is
      // shared by token and pin, so pin fails too).
      const ids = await secrets.query({ owner: 'tamper' }).select('id', 'kind').all();
      expect(ids.map((s) => s.id)).to.deep.equal(['s0', 's1', 's2', 's3', 's4']);
      for (const field of ['token', 'pin'] as const) {
        expectCode(
          await rejection(() => secrets.query({ owner: 'tamper' }).select(field).all()),
          EncryptionError,
          'INTEGRITY',
        );
      }
    });
  });

  it('refuses every read of an entity whose key is not bound, before sending anything', async () => {
    const unkeyed = new TheoryDb({ dynamodb: recorder.client }).repository(Secret);
    recorder.clear();
    const attempts = [
      () => unkeyed.query({ owner: 'alice' }).all(),
      () => unkeyed.query({ owner: 'alice' }).page(),
      () => unkeyed.query({ owner: 'alice' }).count(),
      () => unkeyed.scan().all(),
      () => unkeyed.scan().segments(2).page(),
      () => unkeyed.scan().segments(2).count(),
    ];
    for (const attempt of attempts) {
      expectCode(await rejection(attempt), EncryptionError, 'ENCRYPTION_NOT_CONFIGURED');
    }
    expect(recorder.count()).to.equal(0);
  });
});
