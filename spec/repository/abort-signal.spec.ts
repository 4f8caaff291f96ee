import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  AbortedError,
  Attribute,
  BatchIncompleteError,
  Encrypted,
  Entity,
  PartitionKey,
  PrimaryKey,
  SortKey,
  TheoryDb,
} from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { type DynamoRecorder, recordCommands } from '../support/dynamo-recorder';
import { expectErrorFreeOf, rejectionOf } from '../support/leak-check';
import { registerSentinel } from '../support/leak-guard';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Issue 14, item 4 (abortSignal): every call that sends requests takes the caller's signal,
// hands it to the SDK, sends nothing once it is aborted and rejects with AbortedError (ABORTED),
// never with a partial result.

const SECRET = 'abort-secret-Zt6q2m';
registerSentinel(SECRET);

const TABLE = uniqueTable('abort');

@Entity({ table: TABLE, name: 'AbortRow' })
class Row {
  declare [PrimaryKey]?: 'group' | 'n';

  @PartitionKey() group!: string;
  @SortKey() n!: number;
  @Attribute() label?: string;
  @Encrypted() secret?: string;
}

describe('abortSignal: cancelled calls send nothing more and reject ABORTED', function () {
  this.timeout(60_000);
  let kms: LocalKms;
  let client: DynamoDBClient;
  let recorder: DynamoRecorder;
  let db: TheoryDb;
  /** Aborts the signal when a command of this name has answered (set per test). */
  let abortAfter: { name: string; controller: AbortController } | undefined;

  before(async () => {
    const dynamo = await sharedDynamo();
    kms = await sharedKms();
    const keyId = await kms.createKey();
    client = dynamo.newClient({ maxAttempts: 1 });
    recorder = recordCommands(client);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (abortAfter !== undefined && context.commandName === abortAfter.name) {
          abortAfter.controller.abort();
        }
        return output;
      },
      { step: 'initialize', name: 'abortAfterAnswer' },
    );
    db = new TheoryDb({ dynamodb: client, kms: { client: kms.client(), keyId } });
    await db.createTable(Row);
    const rows = Array.from({ length: 12 }, (_, n) =>
      Object.assign(new Row(), { group: 'g', n, label: `row-${n}`, secret: SECRET }),
    );
    await db.repository(Row).batchSave(rows);
  });
  beforeEach(() => {
    abortAfter = undefined;
    recorder.clear();
    kms.resetCalls();
  });

  const rows = () => db.repository(Row);

  function expectAborted(error: unknown, operation?: string): AbortedError {
    expect(error, String(error)).to.be.instanceOf(AbortedError);
    const aborted = error as AbortedError;
    expect(aborted.code).to.equal('ABORTED');
    if (operation !== undefined) expect(aborted.operation).to.equal(operation);
    expect(JSON.parse(JSON.stringify(aborted))).to.include({ code: 'ABORTED' });
    expectErrorFreeOf(aborted, [SECRET]);
    return aborted;
  }

  it('an already aborted signal: every call sends 0 requests (DynamoDB and KMS)', async () => {
    const abortSignal = AbortSignal.abort();
    const key = { group: 'g', n: 1 };
    const fresh = () => Object.assign(new Row(), { group: 'g', n: 99, secret: SECRET });
    const calls: [string, () => Promise<unknown>][] = [
      ['save', () => rows().save(fresh(), { abortSignal })],
      ['find', () => rows().find(key, { abortSignal })],
      ['find', () => rows().get(key, { abortSignal })],
      ['update', () => rows().update(key, { set: { secret: SECRET } }, { abortSignal })],
      ['delete', () => rows().delete(key, { abortSignal })],
      ['batchFind', () => rows().batchFind([key], { abortSignal })],
      ['batchSave', () => rows().batchSave([fresh()], { abortSignal })],
      ['batchDelete', () => rows().batchDelete([key], { abortSignal })],
      ['query', () => rows().query({ group: 'g' }).abortSignal(abortSignal).all()],
      ['query', () => rows().query({ group: 'g' }).abortSignal(abortSignal).page()],
      ['queryCount', () => rows().query({ group: 'g' }).abortSignal(abortSignal).count()],
      ['scan', () => rows().scan().segments(2).abortSignal(abortSignal).all()],
      ['scan', () => rows().scan().segments(2).abortSignal(abortSignal).page()],
      ['scanCount', () => rows().scan().segments(2).abortSignal(abortSignal).count()],
      ['transaction', () => db.transaction((tx) => void tx.save(fresh()), { abortSignal })],
      ['transactFind', () => db.transactFind([[Row, key]], { abortSignal })],
      ['createTable', () => db.createTable(Row, { ifNotExists: true, abortSignal })],
      ['deleteTable', () => db.deleteTable(Row, { abortSignal })],
    ];
    for (const [operation, call] of calls) {
      expectAborted(await rejectionOf(call()), operation);
    }
    expect(recorder.names(), 'DynamoDB commands').to.deep.equal([]);
    expect(kms.calls('GenerateDataKey') + kms.calls('Decrypt')).to.equal(0);
    // Iteration too: the first next() rejects, with no item yielded.
    const iterator = rows().query({ group: 'g' }).abortSignal(abortSignal)[Symbol.asyncIterator]();
    expectAborted(await rejectionOf(iterator.next()), 'query');
    expect(recorder.count()).to.equal(0);
  });

  it('the signal reaches the SDK: a request abandoned in flight is ABORTED, not an outage', async () => {
    const controller = new AbortController();
    const aborting = (await sharedDynamo()).newClient({ maxAttempts: 3 });
    const seen = recordCommands(aborting);
    aborting.middlewareStack.add(
      (next) => async (args) => {
        controller.abort(); // while the request is being sent: the SDK's handler gives up
        return next(args);
      },
      { step: 'finalizeRequest', name: 'abortInFlight' },
    );
    const other = new TheoryDb({ dynamodb: aborting });
    @Entity({ table: TABLE, name: 'AbortPlain' })
    class Plain {
      declare [PrimaryKey]?: 'group' | 'n';
      @PartitionKey() group!: string;
      @SortKey() n!: number;
    }
    const error = await rejectionOf(
      other.repository(Plain).find({ group: 'g', n: 1 }, { abortSignal: controller.signal }),
    );
    expectAborted(error, 'find');
    expect(seen.count('GetItemCommand'), 'no retry of an aborted request').to.equal(1);
  });

  it('aborting mid query stops the pages: one Query sent, no partial result', async () => {
    const controller = new AbortController();
    abortAfter = { name: 'QueryCommand', controller };
    const query = rows().query({ group: 'g' }).pageSize(3).abortSignal(controller.signal);
    expectAborted(await rejectionOf(query.all()), 'query');
    expect(recorder.names()).to.deep.equal(['QueryCommand']);
    // The answer that won the race is not decrypted either.
    expect(kms.calls('Decrypt')).to.equal(0);

    const iterating = new AbortController();
    const seen: number[] = [];
    const iteration = (async () => {
      for await (const row of rows()
        .query({ group: 'g' })
        .pageSize(3)
        .abortSignal(iterating.signal)) {
        seen.push(row.n);
        if (seen.length === 2) iterating.abort();
      }
    })();
    recorder.clear();
    expectAborted(await rejectionOf(iteration), 'query');
    expect(seen).to.deep.equal([0, 1]);
    expect(recorder.count('QueryCommand')).to.equal(1);
  });

  it('aborting mid batch stops further requests; a batch write says what was written', async () => {
    const many = Array.from({ length: 250 }, (_, n) =>
      Object.assign(new Row(), { group: 'batch', n, label: 'x' }),
    );
    const controller = new AbortController();
    abortAfter = { name: 'BatchWriteItemCommand', controller };
    const error = expectAborted(
      await rejectionOf(rows().batchSave(many, { abortSignal: controller.signal })),
      'batchSave',
    );
    // 10 chunks of 25, at most 4 in flight: the abort after the first answer stops the rest.
    const sent = recorder.count('BatchWriteItemCommand');
    expect(sent).to.be.greaterThan(0).and.lessThan(5);
    expect(error.cause).to.be.instanceOf(BatchIncompleteError);
    const incomplete = error.cause as BatchIncompleteError<Row>;
    expect(incomplete.processed.length + incomplete.unprocessed.length).to.equal(250);
    expect(incomplete.unprocessed.length).to.be.greaterThan(0);

    const reading = new AbortController();
    abortAfter = { name: 'BatchGetItemCommand', controller: reading };
    recorder.clear();
    // 5 chunks of 100 keys, 4 in flight: the fifth is never sent.
    const keys = Array.from({ length: 500 }, (_, n) => ({ group: 'batch', n }));
    expectAborted(
      await rejectionOf(rows().batchFind(keys, { abortSignal: reading.signal })),
      'batchFind',
    );
    expect(recorder.count('BatchGetItemCommand')).to.equal(4);
  });

  it('a signal that is never aborted changes nothing', async () => {
    const { signal } = new AbortController();
    const found = await rows().find({ group: 'g', n: 3 }, { abortSignal: signal });
    expect(found?.secret).to.equal(SECRET);
    const all = await rows().query({ group: 'g' }).pageSize(5).abortSignal(signal).all();
    expect(all.map((r) => r.n)).to.deep.equal([...Array(12).keys()]);
    expect(recorder.names()).to.deep.equal([
      'GetItemCommand',
      'QueryCommand',
      'QueryCommand',
      'QueryCommand',
    ]);
  });
});
