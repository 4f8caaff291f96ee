import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  type EncryptionErrorCode,
  type Repository,
} from '../../src';
import type { LocalKms } from '../../src/testing';
import { recordingDynamo, searchableJson, type DynamoRecorder } from '../support/dynamo-recorder';
import { SENTINELS } from '../support/leak-guard';
import { expectEncryptionError, expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import { Tally } from '../crypto/fixtures/item-envelope-mutations';
import { recordFigures } from './support/report';

// KMS faults injected by LocalKms into every operation that encrypts or decrypts: single saves,
// batch saves, transactions, updates, finds and queries. Every mapped KMS exception, an unknown
// one, HTTP 5xx and 429 answers, latency beyond the client timeout and connection resets each
// fail the operation with the documented code. A write that failed wrote nothing, and no request
// body sent to DynamoDB in this spec ever holds a plaintext.

/** The documented mapping (README "Error codes", src/crypto/kms-error-mapping.ts), restated. */
const MAPPED: readonly [string, EncryptionErrorCode][] = [
  ['AccessDeniedException', 'KMS_ACCESS_DENIED'],
  ['UnrecognizedClientException', 'KMS_ACCESS_DENIED'],
  ['InvalidSignatureException', 'KMS_ACCESS_DENIED'],
  ['IncompleteSignatureException', 'KMS_ACCESS_DENIED'],
  ['MissingAuthenticationTokenException', 'KMS_ACCESS_DENIED'],
  ['InvalidClientTokenId', 'KMS_ACCESS_DENIED'],
  ['ExpiredTokenException', 'KMS_ACCESS_DENIED'],
  ['InvalidGrantTokenException', 'KMS_ACCESS_DENIED'],
  ['NotFoundException', 'KMS_KEY_NOT_FOUND'],
  ['DisabledException', 'KMS_KEY_DISABLED'],
  ['KMSInvalidStateException', 'KMS_KEY_STATE'],
  ['InvalidKeyUsageException', 'KMS_KEY_STATE'],
  ['ThrottlingException', 'KMS_THROTTLED'],
  ['LimitExceededException', 'KMS_THROTTLED'],
  ['TooManyRequestsException', 'KMS_THROTTLED'],
  ['RequestLimitExceeded', 'KMS_THROTTLED'],
  ['ThrottledException', 'KMS_THROTTLED'],
  ['RequestThrottledException', 'KMS_THROTTLED'],
  ['KMSInternalException', 'KMS_UNAVAILABLE'],
  ['DependencyTimeoutException', 'KMS_UNAVAILABLE'],
  ['KeyUnavailableException', 'KMS_UNAVAILABLE'],
  ['ServiceUnavailableException', 'KMS_UNAVAILABLE'],
  ['InternalFailure', 'KMS_UNAVAILABLE'],
  ['RequestTimeoutException', 'KMS_UNAVAILABLE'],
  ['IncorrectKeyException', 'KEY_NOT_ALLOWED'],
  ['InvalidCiphertextException', 'INTEGRITY'],
];

type Inject = (kms: LocalKms, operation: string) => void;

interface Fault {
  readonly name: string;
  readonly code: EncryptionErrorCode;
  readonly inject: Inject;
}

const TIMEOUT_MS = 300;

const FAULTS: readonly Fault[] = [
  ...MAPPED.map(([name, code]) => ({
    name,
    code,
    inject: (kms: LocalKms, operation: string) => kms.failNext(1, name, { operation }),
  })),
  {
    name: 'an exception theorydb does not know (400)',
    code: 'KMS_ERROR',
    inject: (kms, operation) => kms.failNext(1, 'SomeFutureKmsException', { operation }),
  },
  {
    name: 'an unknown exception with HTTP 500',
    code: 'KMS_UNAVAILABLE',
    inject: (kms, operation) => kms.failNext(1, 'OddServerFault', { operation, status: 500 }),
  },
  {
    name: 'an unknown exception with HTTP 503',
    code: 'KMS_UNAVAILABLE',
    inject: (kms, operation) => kms.failNext(1, 'OddServerFault', { operation, status: 503 }),
  },
  {
    name: 'an unknown exception with HTTP 429',
    code: 'KMS_THROTTLED',
    inject: (kms, operation) => kms.failNext(1, 'OddRateFault', { operation, status: 429 }),
  },
  {
    name: `latency beyond the ${TIMEOUT_MS} ms client timeout`,
    code: 'KMS_UNAVAILABLE',
    inject: (kms, operation) => kms.setLatency(TIMEOUT_MS * 5, { operation }),
  },
  {
    name: 'a connection reset',
    code: 'KMS_UNAVAILABLE',
    inject: (kms, operation) => kms.resetConnections(1, { operation }),
  },
];

@Entity({ table: uniqueTable('rel-kms-vault'), name: 'KmsVault' })
class KmsVault {
  @PartitionKey() owner!: string;
  @SortKey() slot!: string;
  @Attribute() label?: string;
  @Encrypted() secret?: string;
  /** Under a second key: a write asks KMS twice, and one failure must still write nothing. */
  @Encrypted({ key: 'aux' }) aux?: string;
}

@Entity({ table: uniqueTable('rel-kms-ledger'), name: 'KmsLedger' })
class KmsLedger {
  @PartitionKey() id!: string;
  @Encrypted() memo?: string;
}

const WRITE_COMMANDS = [
  'PutItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
];
const PLAINTEXTS = [SENTINELS.card, SENTINELS.token, SENTINELS.password];

describe('reliability: KMS faults in every encrypting operation (LocalKms + DynamoDB Local)', function () {
  this.timeout(30_000);

  let kms: LocalKms;
  let rec: DynamoRecorder;
  let vaults: Repository<KmsVault>;
  let ledgers: Repository<KmsLedger>;
  let db: TheoryDb;
  let counter = 0;
  const outcomes = new Tally();
  const bodies: string[] = [];

  const vault = (owner: string, slot: string) =>
    Object.assign(new KmsVault(), {
      owner,
      slot,
      label: 'l',
      secret: SENTINELS.card,
      aux: SENTINELS.token,
    });

  async function rawTable(table: string): Promise<string[]> {
    const out = await (
      await sharedDynamo()
    ).client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    return (out.Items ?? [])
      .map((item: Record<string, AttributeValue>) => searchableJson(item))
      .sort();
  }

  before(async () => {
    kms = await sharedKms();
    const keyArn = await kms.createKey({ alias: `alias/${uniqueTable('rel-kms-a')}` });
    const auxArn = await kms.createKey({ alias: `alias/${uniqueTable('rel-kms-aux')}` });
    rec = await recordingDynamo();
    db = new TheoryDb({
      dynamodb: rec.client,
      kms: {
        client: kms.client({ maxAttempts: 1 }),
        keyId: keyArn,
        keys: { aux: auxArn },
        timeoutMs: TIMEOUT_MS,
      },
    });
    await db.createTable(KmsVault);
    await db.createTable(KmsLedger);
    vaults = db.repository(KmsVault);
    ledgers = db.repository(KmsLedger);
    // Resolves both key ARNs (DescribeKey) and seeds items to update, find and query.
    await vaults.batchSave(Array.from({ length: 5 }, (_, i) => vault('seed', `s${i}`)));
    await ledgers.save(Object.assign(new KmsLedger(), { id: 'seed', memo: SENTINELS.password }));
    expect((await vaults.get({ owner: 'seed', slot: 's0' })).aux).to.equal(SENTINELS.token);
  });

  afterEach(() => {
    kms.clearFaults();
    bodies.push(rec.bodies());
    rec.clear();
  });

  after(() => {
    const all = bodies.join('\n');
    for (const secret of PLAINTEXTS) expectNoPlaintext(all, secret, 'a DynamoDB request body');
    recordFigures('kms-faults', {
      faults: FAULTS.length,
      cases: outcomes.total(),
      outcomes: outcomes.toJSON(),
      requestBodiesChecked: bodies.length,
      plaintextInRequestBodies: 0,
    });
    rec.client.destroy();
  });

  interface WriteCase {
    readonly name: string;
    readonly run: () => Promise<unknown>;
    /** The field the error names: the fields are encrypted concurrently, either may fail first. */
    readonly fields: readonly string[];
  }

  const writes: WriteCase[] = [
    {
      name: 'save',
      fields: ['secret', 'aux'],
      run: () => vaults.save(vault('w', `save-${(counter += 1)}`)),
    },
    {
      name: 'batchSave of 30 items',
      fields: ['secret', 'aux'],
      run: () => {
        const base = (counter += 1);
        return vaults.batchSave(Array.from({ length: 30 }, (_, i) => vault('w', `b-${base}-${i}`)));
      },
    },
    {
      name: 'transaction over two tables',
      fields: ['secret', 'aux', 'memo'],
      run: () => {
        const n = (counter += 1);
        return db.transaction((tx) => {
          tx.save(vault('w', `tx-${n}`));
          tx.save(Object.assign(new KmsLedger(), { id: `tx-${n}`, memo: SENTINELS.password }));
        });
      },
    },
    {
      name: 'update',
      fields: ['secret', 'aux'],
      run: () =>
        vaults.update(
          { owner: 'seed', slot: 's1' },
          { set: { secret: SENTINELS.password, aux: SENTINELS.card } },
        ),
    },
  ];

  for (const write of writes) {
    describe(`${write.name}: GenerateDataKey fails`, () => {
      for (const fault of FAULTS) {
        it(`${fault.name} -> ${fault.code}, nothing written`, async () => {
          const before = [
            await rawTable(vaults.metadata.table),
            await rawTable(ledgers.metadata.table),
          ];
          fault.inject(kms, 'GenerateDataKey');
          const started = Date.now();
          const error = await expectEncryptionError(write.run(), {
            code: fault.code,
            secrets: PLAINTEXTS,
          });
          expect(write.fields).to.include(error.field);
          expect(Date.now() - started, 'bounded by the KMS timeout').to.be.below(TIMEOUT_MS * 4);
          expect(
            rec.names().filter((name) => WRITE_COMMANDS.includes(name)),
            'write requests sent',
          ).to.deep.equal([]);
          expect([
            await rawTable(vaults.metadata.table),
            await rawTable(ledgers.metadata.table),
          ]).to.deep.equal(before);
          outcomes.add(`${write.name}:${error.code}`);
        });
      }
    });
  }

  const reads: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'find', run: () => vaults.find({ owner: 'seed', slot: 's2' }) },
    { name: 'query', run: () => vaults.query({ owner: 'seed' }).all() },
    { name: 'batchFind', run: () => vaults.batchFind([{ owner: 'seed', slot: 's3' }]) },
  ];

  for (const read of reads) {
    describe(`${read.name}: Decrypt fails`, () => {
      for (const fault of FAULTS) {
        it(`${fault.name} -> ${fault.code}, no entity returned`, async () => {
          fault.inject(kms, 'Decrypt');
          const error = await expectEncryptionError(read.run(), {
            code: fault.code,
            entity: 'KmsVault',
            secrets: PLAINTEXTS,
          });
          expect(['secret', 'aux']).to.include(error.field);
          outcomes.add(`${read.name}:${error.code}`);
        });
      }
    });
  }

  it('with the faults cleared, every operation works again', async () => {
    await vaults.save(vault('w', 'after'));
    await db.transaction((tx) => tx.save(vault('w', 'after-tx')));
    const found = await vaults.query({ owner: 'w' }).all();
    expect(found.map((v) => v.slot).sort()).to.deep.equal(['after', 'after-tx']);
    expect(found.every((v) => v.secret === SENTINELS.card && v.aux === SENTINELS.token)).to.equal(
      true,
    );
  });
});
