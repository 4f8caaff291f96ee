import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  TheoryDb,
  type EncryptionErrorCode,
  type KmsOptions,
  type Repository,
} from '../../src';
import {
  ENTRIES_OFFSET,
  FINGERPRINT_LENGTH,
  FORMAT_VERSION,
  VERSION_OFFSET,
} from '../../src/crypto/envelope-layout';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { expectEncryptionError, expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Every row of the EncryptionError table, raised through repo.save and repo.find against
// DynamoDB Local and LocalKms with the unmodified SDK clients. A failing write must send no
// PutItem; no form of any error may hold the plaintext. The item's encrypted values live in its
// one envelope attribute `__td`; Vault has a single encrypted field, so every envelope error names
// `secret` as its field.

/** Where the first entry's wrapped-key length sits in a v2 envelope. */
const WRAPPED_KEY_LENGTH_OFFSET = ENTRIES_OFFSET + FINGERPRINT_LENGTH;

const SECRET = 'sk_live_ERRTABLE_4f9a2c7e1b3d5a90';

@Entity({ table: uniqueTable('enc-error-table'), name: 'Vault' })
class Vault {
  @PartitionKey() id!: string;
  @Attribute() label?: string;
  @Encrypted() secret?: string;
}

interface Harness {
  db: TheoryDb;
  repo: Repository<Vault>;
  rec: DynamoRecorder;
}

describe('EncryptionError table through save and find (DynamoDB Local + LocalKms)', function () {
  this.timeout(30_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let table: string;
  let aliasA: string;
  let arnA: string;
  let arnB: string;
  let writer: Repository<Vault>;
  let counter = 0;
  const harnesses: Harness[] = [];

  const nextId = (prefix: string) => `${prefix}-${(counter += 1)}`;
  const vault = (id: string) => Object.assign(new Vault(), { id, label: 'l', secret: SECRET });

  /** A db on a recording DynamoDB client; `kms` undefined means no KMS binding at all. */
  async function harness(kmsOptions?: Partial<KmsOptions>): Promise<Harness> {
    const rec = await recordingDynamo();
    const client: KMSClient = kmsOptions?.client ?? kms.client({ maxAttempts: 1 });
    const db = new TheoryDb({
      dynamodb: rec.client,
      ...(kmsOptions === undefined
        ? {}
        : { kms: { client, keyId: aliasA, timeoutMs: 300, ...kmsOptions } }),
    });
    const h = { db, repo: db.repository(Vault), rec };
    harnesses.push(h);
    return h;
  }

  async function rawItem(id: string): Promise<Record<string, AttributeValue> | undefined> {
    const out = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /** The write sent nothing to DynamoDB but (at most) reads, and nothing was stored. */
  async function expectNothingWritten(h: Harness, id: string): Promise<void> {
    expect(h.rec.count('PutItemCommand')).to.equal(0);
    expect(h.rec.names().filter((n) => n !== 'GetItemCommand')).to.deep.equal([]);
    expectNoPlaintext(h.rec.bodies(), SECRET, 'DynamoDB requests');
    expect(await rawItem(id)).to.equal(undefined);
  }

  /** Resolves the key ARN (DescribeKey) with one good read, then forgets the recorded requests. */
  async function warm(h: Harness): Promise<void> {
    expect((await h.repo.find({ id: await stored('warm') }))?.secret).to.equal(SECRET);
    h.rec.clear();
  }

  /** An item written correctly under key A, by a separate client. */
  async function stored(prefix: string): Promise<string> {
    const id = nextId(prefix);
    await writer.save(vault(id));
    return id;
  }

  async function expectWriteFails(
    h: Harness,
    code: EncryptionErrorCode,
    keyArn: string | true | undefined,
  ): Promise<void> {
    const id = nextId('w');
    const entity = vault(id);
    await expectEncryptionError(h.repo.save(entity), {
      code,
      entity: 'Vault',
      field: 'secret',
      ...(keyArn === undefined ? {} : { keyArn }),
      secrets: [SECRET],
    });
    expect(entity.secret).to.equal(SECRET);
    await expectNothingWritten(h, id);
  }

  async function expectReadFails(
    h: Harness,
    id: string,
    code: EncryptionErrorCode,
    keyArn: string | true | undefined,
  ): Promise<void> {
    await expectEncryptionError(h.repo.find({ id }), {
      code,
      entity: 'Vault',
      field: 'secret',
      ...(keyArn === undefined ? {} : { keyArn }),
      secrets: [SECRET],
    });
    expect(h.rec.names()).to.deep.equal(['GetItemCommand']);
  }

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    aliasA = `alias/${uniqueTable('enc-errors-a')}`;
    arnA = await kms.createKey({ alias: aliasA });
    arnB = await kms.createKey({ alias: `alias/${uniqueTable('enc-errors-b')}` });
    const setup = new TheoryDb({ dynamodb: dynamo.client });
    await setup.createTable(Vault);
    table = setup.repository(Vault).metadata.table;
    writer = new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kms.client(), keyId: aliasA },
    }).repository(Vault);
  });

  afterEach(() => {
    kms.clearFaults();
  });

  after(() => {
    for (const h of harnesses) h.rec.client.destroy();
  });

  it('the writer round-trips, so every failure below is caused by its fault', async () => {
    const id = await stored('ok');
    const h = await harness({});
    expect((await h.repo.find({ id }))?.secret).to.equal(SECRET);
    const raw = await rawItem(id);
    expect(raw?.__td.B).to.be.instanceOf(Uint8Array);
    expect(raw?.secret, 'no attribute under the encrypted name').to.equal(undefined);
  });

  describe('ENCRYPTION_NOT_CONFIGURED', () => {
    it('save on a client without kms sends nothing', async () => {
      const h = await harness(undefined);
      kms.resetCalls();
      await expectWriteFails(h, 'ENCRYPTION_NOT_CONFIGURED', undefined);
      expect(h.rec.count()).to.equal(0);
      expect(kms.calls()).to.equal(0);
    });

    it('find on a client without kms sends nothing', async () => {
      const id = await stored('nc');
      const h = await harness(undefined);
      kms.resetCalls();
      await expectEncryptionError(h.repo.find({ id }), {
        code: 'ENCRYPTION_NOT_CONFIGURED',
        entity: 'Vault',
        field: 'secret',
        secrets: [SECRET],
      });
      expect(h.rec.count()).to.equal(0);
      expect(kms.calls()).to.equal(0);
    });

    it('save on a client with kms but no default key sends nothing', async () => {
      const h = await harness({ keyId: undefined, keys: { other: aliasA } });
      kms.resetCalls();
      await expectWriteFails(h, 'ENCRYPTION_NOT_CONFIGURED', undefined);
      expect(h.rec.count()).to.equal(0);
      expect(kms.calls()).to.equal(0);
    });
  });

  describe('KMS_ACCESS_DENIED', () => {
    it('save: AccessDeniedException on GenerateDataKey', async () => {
      const h = await harness({});
      kms.failNext(1, 'AccessDeniedException', { operation: 'GenerateDataKey' });
      await expectWriteFails(h, 'KMS_ACCESS_DENIED', arnA);
    });

    it('save: AccessDeniedException on DescribeKey', async () => {
      const h = await harness({});
      kms.failNext(1, 'AccessDeniedException', { operation: 'DescribeKey' });
      await expectWriteFails(h, 'KMS_ACCESS_DENIED', aliasA);
    });

    it('find: AccessDeniedException on Decrypt', async () => {
      const id = await stored('ad');
      const h = await harness({});
      kms.failNext(1, 'AccessDeniedException', { operation: 'Decrypt' });
      await expectReadFails(h, id, 'KMS_ACCESS_DENIED', arnA);
    });
  });

  describe('KMS_KEY_NOT_FOUND', () => {
    it('save: the bound alias does not exist', async () => {
      const missing = `alias/${uniqueTable('enc-errors-missing')}`;
      const h = await harness({ keyId: missing });
      kms.resetCalls();
      await expectWriteFails(h, 'KMS_KEY_NOT_FOUND', missing);
      expect(kms.calls('DescribeKey')).to.equal(1);
      expect(kms.calls('GenerateDataKey')).to.equal(0);
    });

    it('find: the bound alias does not exist (no Decrypt is attempted)', async () => {
      const id = await stored('nf');
      const missing = `alias/${uniqueTable('enc-errors-missing')}`;
      const h = await harness({ keyId: missing });
      kms.resetCalls();
      await expectReadFails(h, id, 'KMS_KEY_NOT_FOUND', missing);
      expect(kms.calls('Decrypt')).to.equal(0);
    });

    it('find: NotFoundException on Decrypt', async () => {
      const id = await stored('nf');
      const h = await harness({});
      kms.failNext(1, 'NotFoundException', { operation: 'Decrypt' });
      await expectReadFails(h, id, 'KMS_KEY_NOT_FOUND', arnA);
    });
  });

  describe('KMS_KEY_DISABLED', () => {
    let arnC: string;
    let id: string;

    before(async () => {
      arnC = await kms.createKey({ alias: `alias/${uniqueTable('enc-errors-c')}` });
      id = nextId('dis');
      const writerC = new TheoryDb({
        dynamodb: dynamo.client,
        kms: { client: kms.client(), keyId: arnC },
      }).repository(Vault);
      await writerC.save(vault(id));
      await kms.disableKey(arnC);
    });

    after(async () => {
      await kms.enableKey(arnC);
    });

    it('save under a disabled key', async () => {
      const h = await harness({ keyId: arnC });
      await expectWriteFails(h, 'KMS_KEY_DISABLED', arnC);
    });

    it('find of a value whose key is now disabled', async () => {
      const h = await harness({ keyId: arnC });
      await expectReadFails(h, id, 'KMS_KEY_DISABLED', arnC);
    });

    it('works again once the key is enabled (the failure was the key state)', async () => {
      await kms.enableKey(arnC);
      try {
        const h = await harness({ keyId: arnC });
        expect((await h.repo.find({ id }))?.secret).to.equal(SECRET);
      } finally {
        await kms.disableKey(arnC);
      }
    });
  });

  describe('KMS_KEY_STATE', () => {
    let arnD: string;
    let id: string;

    before(async () => {
      arnD = await kms.createKey({ alias: `alias/${uniqueTable('enc-errors-d')}` });
      id = nextId('del');
      const writerD = new TheoryDb({
        dynamodb: dynamo.client,
        kms: { client: kms.client(), keyId: arnD },
      }).repository(Vault);
      await writerD.save(vault(id));
      await kms.scheduleDeletion(arnD);
    });

    it('save under a key pending deletion', async () => {
      const h = await harness({ keyId: arnD });
      await expectWriteFails(h, 'KMS_KEY_STATE', arnD);
    });

    it('find of a value whose key is pending deletion', async () => {
      const h = await harness({ keyId: arnD });
      await expectReadFails(h, id, 'KMS_KEY_STATE', arnD);
    });
  });

  describe('KMS_THROTTLED (retryable)', () => {
    it('save: ThrottlingException on GenerateDataKey', async () => {
      const h = await harness({});
      kms.failNext(1, 'ThrottlingException', { operation: 'GenerateDataKey' });
      await expectWriteFails(h, 'KMS_THROTTLED', arnA);
    });

    it('find: ThrottlingException on Decrypt', async () => {
      const id = await stored('thr');
      const h = await harness({});
      kms.failNext(1, 'ThrottlingException', { operation: 'Decrypt' });
      await expectReadFails(h, id, 'KMS_THROTTLED', arnA);
    });

    it("save: still throttled after the SDK's own retries (3 attempts, 3 requests)", async () => {
      const h = await harness({ client: kms.client({ maxAttempts: 3 }), timeoutMs: 15_000 });
      await warm(h);
      kms.resetCalls();
      kms.failNext(3, 'ThrottlingException', { operation: 'GenerateDataKey' });
      await expectWriteFails(h, 'KMS_THROTTLED', arnA);
      expect(kms.calls('GenerateDataKey')).to.equal(3);
    });

    it('save: succeeds when the SDK retry gets through (throttled once, 2 attempts)', async () => {
      const h = await harness({ client: kms.client({ maxAttempts: 2 }), timeoutMs: 15_000 });
      await warm(h);
      kms.resetCalls();
      kms.failNext(1, 'ThrottlingException', { operation: 'GenerateDataKey' });
      const id = nextId('thr-ok');
      await h.repo.save(vault(id));
      expect(kms.calls('GenerateDataKey')).to.equal(2);
      expect((await h.repo.find({ id }))?.secret).to.equal(SECRET);
    });
  });

  describe('KMS_UNAVAILABLE (retryable)', () => {
    it('save: GenerateDataKey answers after timeoutMs', async () => {
      const h = await harness({ timeoutMs: 300 });
      await warm(h);
      kms.setLatency(2_000, { operation: 'GenerateDataKey' });
      const started = Date.now();
      await expectWriteFails(h, 'KMS_UNAVAILABLE', arnA);
      expect(Date.now() - started).to.be.below(1_500);
    });

    it('save: DescribeKey answers after timeoutMs', async () => {
      const h = await harness({ timeoutMs: 300 });
      kms.setLatency(2_000, { operation: 'DescribeKey' });
      await expectWriteFails(h, 'KMS_UNAVAILABLE', aliasA);
    });

    it('find: Decrypt answers after timeoutMs', async () => {
      const id = await stored('lat');
      const h = await harness({ timeoutMs: 300 });
      kms.setLatency(2_000, { operation: 'Decrypt' });
      const started = Date.now();
      await expectReadFails(h, id, 'KMS_UNAVAILABLE', arnA);
      expect(Date.now() - started).to.be.below(1_500);
    });

    it('save: the connection is reset', async () => {
      const h = await harness({});
      kms.resetConnections(1, { operation: 'GenerateDataKey' });
      await expectWriteFails(h, 'KMS_UNAVAILABLE', arnA);
    });

    it('find: the connection is reset', async () => {
      const id = await stored('rst');
      const h = await harness({});
      kms.resetConnections(1, { operation: 'Decrypt' });
      await expectReadFails(h, id, 'KMS_UNAVAILABLE', arnA);
    });

    it('save: KMSInternalException', async () => {
      const h = await harness({});
      kms.failNext(1, 'KMSInternalException', { operation: 'GenerateDataKey' });
      await expectWriteFails(h, 'KMS_UNAVAILABLE', arnA);
    });

    it('find: KMSInternalException', async () => {
      const id = await stored('int');
      const h = await harness({});
      kms.failNext(1, 'KMSInternalException', { operation: 'Decrypt' });
      await expectReadFails(h, id, 'KMS_UNAVAILABLE', arnA);
    });

    it('save: an unrecognised error answered with HTTP 500', async () => {
      const h = await harness({});
      kms.failNext(1, 'SomethingBrokeOnTheServer', { operation: 'GenerateDataKey', status: 500 });
      await expectWriteFails(h, 'KMS_UNAVAILABLE', arnA);
    });

    it('find: an unrecognised error answered with HTTP 503', async () => {
      const id = await stored('503');
      const h = await harness({});
      kms.failNext(1, 'SomethingBrokeOnTheServer', { operation: 'Decrypt', status: 503 });
      await expectReadFails(h, id, 'KMS_UNAVAILABLE', arnA);
    });

    it('save: nothing listens at the KMS endpoint (ECONNREFUSED)', async () => {
      const closed = new KMSClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      try {
        const h = await harness({ client: closed, timeoutMs: 2_000 });
        await expectWriteFails(h, 'KMS_UNAVAILABLE', aliasA);
      } finally {
        closed.destroy();
      }
    });
  });

  describe('KEY_NOT_ALLOWED', () => {
    it('find: written under key A, read by a client bound to key B, with zero Decrypt calls', async () => {
      const id = await stored('wrong-key');
      const h = await harness({ keyId: arnB });
      kms.resetCalls();
      await expectReadFails(h, id, 'KEY_NOT_ALLOWED', arnB);
      expect(kms.calls('Decrypt')).to.equal(0);
      expect(kms.calls('GenerateDataKey')).to.equal(0);
      expect(kms.calls()).to.equal(kms.calls('DescribeKey'));
    });

    it('find: KMS IncorrectKeyException on Decrypt', async () => {
      const id = await stored('incorrect');
      const h = await harness({});
      kms.failNext(1, 'IncorrectKeyException', { operation: 'Decrypt' });
      await expectReadFails(h, id, 'KEY_NOT_ALLOWED', arnA);
    });
  });

  describe('INTEGRITY', () => {
    async function rewrite(id: string, envelope: AttributeValue): Promise<void> {
      const item = (await rawItem(id))!;
      await dynamo.client.send(
        new PutItemCommand({ TableName: table, Item: { ...item, __td: envelope } }),
      );
    }

    it('find: one ciphertext bit flipped', async () => {
      const id = await stored('tamper');
      const bytes = Buffer.from((await rawItem(id))!.__td.B!);
      bytes[bytes.length - 20] ^= 0x01;
      await rewrite(id, { B: bytes });
      const h = await harness({});
      await expectReadFails(h, id, 'INTEGRITY', arnA);
    });

    it("find: another item's envelope moved into this item", async () => {
      const id = await stored('victim');
      const other = await stored('donor');
      await rewrite(id, (await rawItem(other))!.__td);
      const h = await harness({});
      await expectReadFails(h, id, 'INTEGRITY', arnA);
    });

    it('find: the envelope deleted (the item no longer loads as "secret undefined")', async () => {
      const id = await stored('no-envelope');
      const { __td: _dropped, ...rest } = (await rawItem(id))!;
      await dynamo.client.send(new PutItemCommand({ TableName: table, Item: rest }));
      const h = await harness({});
      kms.resetCalls();
      await expectReadFails(h, id, 'INTEGRITY', undefined);
      expect(kms.calls()).to.equal(0);
    });

    it('find: KMS InvalidCiphertextException on Decrypt', async () => {
      const id = await stored('invalid-ct');
      const h = await harness({});
      kms.failNext(1, 'InvalidCiphertextException', { operation: 'Decrypt' });
      await expectReadFails(h, id, 'INTEGRITY', arnA);
    });
  });

  describe('MALFORMED_CIPHERTEXT (found before any KMS call)', () => {
    const damages: [string, (b: Buffer) => Buffer][] = [
      ['truncated to 30 bytes', (b) => b.subarray(0, 30)],
      [
        'an unknown format version',
        (b) => {
          const c = Buffer.from(b);
          c[VERSION_OFFSET] = FORMAT_VERSION + 1;
          return c;
        },
      ],
      [
        'a wrapped-key length of 0',
        (b) => {
          const c = Buffer.from(b);
          c.writeUInt16BE(0, WRAPPED_KEY_LENGTH_OFFSET);
          return c;
        },
      ],
      [
        'a wrapped-key length longer than the value',
        (b) => {
          const c = Buffer.from(b);
          c.writeUInt16BE(1000, WRAPPED_KEY_LENGTH_OFFSET);
          return c;
        },
      ],
      ['bytes that are not an envelope (no magic)', () => Buffer.from(SECRET, 'utf8')],
    ];
    for (const [what, damage] of damages) {
      it(`find: ${what}`, async () => {
        const id = await stored('malformed');
        const item = (await rawItem(id))!;
        const bytes = damage(Buffer.from(item.__td.B!));
        await dynamo.client.send(
          new PutItemCommand({ TableName: table, Item: { ...item, __td: { B: bytes } } }),
        );
        const h = await harness({});
        kms.resetCalls();
        await expectReadFails(h, id, 'MALFORMED_CIPHERTEXT', undefined);
        expect(kms.calls()).to.equal(0);
      });
    }
  });

  // An attribute under an encrypted field's name is refused whatever it holds: v2 never stores one.
  describe('PLAINTEXT_IN_ENCRYPTED_FIELD (found before any KMS call)', () => {
    const values: [string, AttributeValue][] = [
      ['an S value', { S: SECRET }],
      ['a B value without the magic', { B: Buffer.from(SECRET, 'utf8') }],
    ];
    for (const [what, value] of values) {
      it(`find: ${what}`, async () => {
        const id = nextId('plain');
        await dynamo.client.send(
          new PutItemCommand({ TableName: table, Item: { id: { S: id }, secret: value } }),
        );
        const h = await harness({});
        kms.resetCalls();
        await expectReadFails(h, id, 'PLAINTEXT_IN_ENCRYPTED_FIELD', undefined);
        expect(kms.calls()).to.equal(0);
      });
    }

    it('find: an S value planted beside a genuine envelope', async () => {
      const id = await stored('planted');
      const item = (await rawItem(id))!;
      await dynamo.client.send(
        new PutItemCommand({ TableName: table, Item: { ...item, secret: { S: 'planted' } } }),
      );
      const h = await harness({});
      kms.resetCalls();
      await expectReadFails(h, id, 'PLAINTEXT_IN_ENCRYPTED_FIELD', undefined);
      expect(kms.calls()).to.equal(0);
    });
  });

  describe('KMS_ERROR (not retryable)', () => {
    it('save: an unrecognised KMS exception on GenerateDataKey', async () => {
      const h = await harness({});
      kms.failNext(1, 'SomeNewKmsException', { operation: 'GenerateDataKey' });
      await expectWriteFails(h, 'KMS_ERROR', arnA);
    });

    it('find: an unrecognised KMS exception on Decrypt', async () => {
      const id = await stored('kms-error');
      const h = await harness({});
      kms.failNext(1, 'SomeNewKmsException', { operation: 'Decrypt' });
      await expectReadFails(h, id, 'KMS_ERROR', arnA);
    });
  });
});
