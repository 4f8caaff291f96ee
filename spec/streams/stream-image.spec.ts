import { expect } from 'chai';
import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  Attribute,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  SortKey,
  type StreamAttributeValue,
  type StreamImage,
  TheoryDb,
  ValidationError,
} from '../../src';
import type { LocalKms } from '../../src/testing/local-kms';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { sharedKms, uniqueTable } from '../support/stack';

@Entity({ table: uniqueTable('st-secrets'), name: 'Secret' })
class Secret {
  @PartitionKey() owner!: string;
  @SortKey() name!: string;
  @Attribute() label?: string;
  @Attribute() raw?: Uint8Array;
  @Encrypted() token?: string;
  @Encrypted() blob?: Uint8Array;
}

@Entity({ table: uniqueTable('st-plain') })
class Event {
  @PartitionKey() id!: string;
  @Attribute() count?: number;
  @Attribute() ok?: boolean;
  @Attribute({ type: String }) note?: string | null;
  @Attribute() payload?: Uint8Array;
  @Attribute({ type: Set, items: String }) tags?: Set<string>;
  @Attribute({ type: Set, items: Uint8Array }) chunks?: Set<Uint8Array>;
  @Attribute({ type: Array, items: Number }) series?: number[];
  @Attribute({ type: Object }) meta?: Record<string, unknown>;
}

/** An item as Lambda delivers it: every binary as a base64 string. */
function lambdaImage(item: Record<string, AttributeValue>): StreamImage {
  const wire = (value: AttributeValue): StreamAttributeValue => {
    if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
    if (value.BS !== undefined)
      return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
    if (value.L !== undefined) return { L: value.L.map(wire) };
    if (value.M !== undefined) {
      return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, wire(v)])) };
    }
    return value;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, wire(v)]));
}

describe('Repository.fromStreamImage (DynamoDB Local + LocalKms)', () => {
  let kms: LocalKms;
  let recorder: DynamoRecorder;
  let db: TheoryDb;
  let stored: Record<string, AttributeValue>;

  before(async () => {
    kms = await sharedKms();
    const keyArn = await kms.createKey({ alias: `alias/st-${process.pid}` });
    recorder = await recordingDynamo();
    db = new TheoryDb({ dynamodb: recorder.client, kms: { client: kms.client(), keyId: keyArn } });
    await db.createTable(Secret);
    const secrets = db.repository(Secret);
    await secrets.save(
      Object.assign(new Secret(), {
        owner: 'alice',
        name: 'github',
        label: 'GitHub',
        raw: new Uint8Array([1, 2, 3]),
        token: 'ghp_stream_secret',
        blob: new Uint8Array([9, 8, 7]),
      }),
    );
    const output = await recorder.client.send(
      new GetItemCommand({
        TableName: secrets.metadata.table,
        Key: { owner: { S: 'alice' }, name: { S: 'github' } },
      }),
    );
    stored = output.Item!;
  });

  beforeEach(() => recorder.clear());

  it('decrypts an image with base64 binaries (as Lambda delivers it), sending nothing to DynamoDB', async () => {
    const image = lambdaImage(stored);
    // v2: the encrypted values are sealed in the item's one envelope, `__td`.
    expect(image.token).to.equal(undefined);
    expect(typeof image.__td.B).to.equal('string');
    kms.resetCalls();
    const secret = await db.repository(Secret).fromStreamImage(image);
    expect(secret).to.be.instanceOf(Secret);
    expect(secret.owner).to.equal('alice');
    expect(secret.label).to.equal('GitHub');
    expect(secret.token).to.equal('ghp_stream_secret');
    expect(Buffer.from(secret.blob!)).to.deep.equal(Buffer.from([9, 8, 7]));
    expect(Buffer.from(secret.raw!)).to.deep.equal(Buffer.from([1, 2, 3]));
    // One scope: both fields share the save's data key, unwrapped once.
    expect(kms.calls('Decrypt')).to.equal(1);
    expect(recorder.count()).to.equal(0);
  });

  it('decrypts an image with Uint8Array binaries (as the DynamoDB Streams client returns it)', async () => {
    const secret = await db.repository(Secret).fromStreamImage(stored);
    expect(secret.token).to.equal('ghp_stream_secret');
  });

  it('maps a plain image of every wire type without KMS', async () => {
    const plainDb = new TheoryDb({ dynamodb: recorder.client });
    kms.resetCalls();
    const event = await plainDb.repository(Event).fromStreamImage({
      id: { S: 'e1' },
      count: { N: '42' },
      ok: { BOOL: true },
      note: { NULL: true },
      payload: { B: Buffer.from('hello').toString('base64') },
      tags: { SS: ['a', 'b'] },
      chunks: { BS: [Buffer.from([1]).toString('base64'), new Uint8Array([2])] },
      series: { L: [{ N: '1' }, { N: '2.5' }] },
      meta: { M: { nested: { M: { deep: { S: 'x' } } }, list: { L: [{ BOOL: false }] } } },
    });
    expect(event).to.be.instanceOf(Event);
    expect(event.count).to.equal(42);
    expect(event.ok).to.equal(true);
    expect(event.note).to.equal(null);
    expect(Buffer.from(event.payload!).toString()).to.equal('hello');
    expect(event.tags).to.deep.equal(new Set(['a', 'b']));
    expect([...event.chunks!].map((c) => Buffer.from(c).toString('hex'))).to.deep.equal([
      '01',
      '02',
    ]);
    expect(event.series).to.deep.equal([1, 2.5]);
    expect(event.meta).to.deep.equal({ nested: { deep: 'x' }, list: [false] });
    expect(kms.calls()).to.equal(0);
  });

  it('fails with INTEGRITY on a tampered image', async () => {
    const image = lambdaImage(stored);
    const bytes = Buffer.from(image.__td.B as string, 'base64');
    bytes[bytes.length - 1] ^= 0x80;
    const error = await db
      .repository(Secret)
      .fromStreamImage({ ...image, __td: { B: bytes.toString('base64') } })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EncryptionError);
    expect((error as EncryptionError).code).to.equal('INTEGRITY');
    // The envelope's error names its first encrypted field, `token`.
    expect((error as EncryptionError).field).to.equal('token');
  });

  it('fails closed when the envelope is moved to another item or attribute', async () => {
    const image = lambdaImage(stored);
    const otherItem = await db
      .repository(Secret)
      .fromStreamImage({ ...image, name: { S: 'gitlab' } })
      .catch((e: unknown) => e);
    expect((otherItem as EncryptionError).code).to.equal('INTEGRITY');
    // v2 has no per-field envelope to move between fields: the equivalents are the envelope moved
    // under another binding's name (so the item has none) or under an encrypted field's name.
    const { __td: envelope, ...rest } = image;
    const otherBinding = await db
      .repository(Secret)
      .fromStreamImage({ ...rest, '__td:other': envelope })
      .catch((e: unknown) => e);
    expect(otherBinding).to.be.instanceOf(EncryptionError);
    expect((otherBinding as EncryptionError).code).to.equal('INTEGRITY');
    const otherField = await db
      .repository(Secret)
      .fromStreamImage({ ...rest, blob: envelope })
      .catch((e: unknown) => e);
    expect(otherField).to.be.instanceOf(EncryptionError);
    expect((otherField as EncryptionError).code).to.equal('PLAINTEXT_IN_ENCRYPTED_FIELD');
  });

  it('fails with PLAINTEXT_IN_ENCRYPTED_FIELD on injected plaintext, before any KMS call', async () => {
    kms.resetCalls();
    for (const injected of [
      { S: 'ghp_injected' },
      { B: Buffer.from('not an envelope').toString('base64') },
    ]) {
      const error = await db
        .repository(Secret)
        .fromStreamImage({ ...lambdaImage(stored), token: injected })
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(EncryptionError);
      expect((error as EncryptionError).code).to.equal('PLAINTEXT_IN_ENCRYPTED_FIELD');
      expect((error as Error).message).to.not.include('ghp_injected');
    }
    expect(kms.calls('Decrypt')).to.equal(0);
  });

  it('refuses an encrypted entity on a TheoryDb without a key (ENCRYPTION_NOT_CONFIGURED)', async () => {
    const unkeyed = new TheoryDb({ dynamodb: recorder.client });
    const error = await unkeyed
      .repository(Secret)
      .fromStreamImage(lambdaImage(stored))
      .catch((e: unknown) => e);
    expect((error as EncryptionError).code).to.equal('ENCRYPTION_NOT_CONFIGURED');
  });

  it('refuses malformed images with VALIDATION, naming the attribute and never the value', async () => {
    const repo = db.repository(Secret);
    const image = lambdaImage(stored);
    const cases: [unknown, RegExp][] = [
      [null, /expects an image object/],
      [[image], /expects an image object/],
      [
        { ...image, __td: { B: 'not base64!' } },
        /attribute "__td" holds a binary that is neither base64/,
      ],
      [
        { ...image, label: { S: 'a', N: '1' } },
        /attribute "label" must hold exactly one DynamoDB type/,
      ],
      [{ ...image, label: { Q: 'x' } }, /attribute "label" has an unknown DynamoDB type/],
      [{ ...image, label: 'GitHub' }, /attribute "label" is not a DynamoDB attribute value/],
      [{ ...image, label: { L: [{ S: 1 }] } }, /attribute "label\[0\]" S must be a string/],
      [{ label: { S: 'x' }, owner: { S: 'alice' } }, /has no key attribute "name"/],
    ];
    for (const [bad, message] of cases) {
      const error = await repo.fromStreamImage(bad as StreamImage).catch((e: unknown) => e);
      expect(error, String(message)).to.be.instanceOf(ValidationError);
      expect((error as Error).message).to.match(message);
      expect((error as Error).message).to.not.include('GitHub');
    }
  });
});
