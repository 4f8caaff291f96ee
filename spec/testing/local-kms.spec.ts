import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  KMSServiceException,
  NotFoundException,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { expect } from 'chai';
import { LocalKms } from '../../src/testing/local-kms';
import { ValidationError } from '../../src/errors';

const REGION = 'eu-west-1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface SdkError extends Error {
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

describe('LocalKms', () => {
  let kms: LocalKms;
  let client: KMSClient;

  before(async () => {
    kms = await LocalKms.start({ region: REGION });
    client = kms.client();
  });

  after(() => kms.stop());

  afterEach(() => {
    kms.clearFaults();
    kms.resetCalls();
  });

  const context: Record<string, string> = { purpose: 'test', table: 'users' };

  async function encrypt(keyId: string, plaintext: Buffer, ctx = context): Promise<Uint8Array> {
    const out = await client.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: ctx }),
    );
    return out.CiphertextBlob!;
  }

  async function describeKey(keyId: string): Promise<Record<string, unknown>> {
    const out = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
    return out.KeyMetadata as unknown as Record<string, unknown>;
  }

  describe('lifecycle', () => {
    it('listens on a loopback port and reports its region', () => {
      expect(kms.endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(kms.region).to.equal(REGION);
    });

    it('defaults to us-east-1 and stops idempotently, closing keep-alive sockets', async () => {
      const other = await LocalKms.start();
      expect(other.region).to.equal('us-east-1');
      const arn = await other.createKey();
      expect(arn).to.match(/^arn:aws:kms:us-east-1:111122223333:key\//);
      const probe = other.client();
      await probe.send(new DescribeKeyCommand({ KeyId: arn })); // opens a keep-alive socket
      await other.stop();
      await other.stop();
      const late = other.client();
      try {
        const error = await rejectionOf(late.send(new DescribeKeyCommand({ KeyId: arn })));
        expect(error.code).to.equal('ECONNREFUSED');
      } finally {
        late.destroy();
      }
    });

    it('stops promptly while a delayed answer is in flight, dropping that connection', async () => {
      const other = await LocalKms.start();
      const arn = await other.createKey();
      other.setLatency(5000);
      // A client LocalKms did not make (and so cannot destroy): the server must cut it off.
      const foreign = new KMSClient({
        region: other.region,
        endpoint: other.endpoint,
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      try {
        const pending = rejectionOf(foreign.send(new DescribeKeyCommand({ KeyId: arn })));
        while (other.calls('DescribeKey') === 0) await new Promise((r) => setTimeout(r, 5));
        const start = Date.now();
        await other.stop();
        expect(Date.now() - start).to.be.below(1000);
        expect((await pending).code).to.equal('ECONNRESET');
      } finally {
        foreign.destroy();
      }
    });

    it('rejects an invalid region', async () => {
      const error = await rejectionOf(LocalKms.start({ region: 'EU WEST' }));
      expect(error).to.be.instanceOf(ValidationError);
    });
  });

  describe('CreateKey and DescribeKey', () => {
    it('creates an enabled symmetric key with the documented metadata', async () => {
      const before = Date.now();
      const out = await client.send(
        new CreateKeyCommand({ Description: 'for tests', KeyUsage: 'ENCRYPT_DECRYPT' }),
      );
      const meta = out.KeyMetadata!;
      expect(meta.KeyId).to.match(UUID);
      expect(meta.Arn).to.equal(`arn:aws:kms:${REGION}:111122223333:key/${meta.KeyId}`);
      expect(meta.AWSAccountId).to.equal('111122223333');
      expect(meta.KeyState).to.equal('Enabled');
      expect(meta.Enabled).to.equal(true);
      expect(meta.Description).to.equal('for tests');
      expect(meta.KeyUsage).to.equal('ENCRYPT_DECRYPT');
      expect(meta.KeySpec).to.equal('SYMMETRIC_DEFAULT');
      expect(meta.EncryptionAlgorithms).to.deep.equal(['SYMMETRIC_DEFAULT']);
      expect(meta.CreationDate).to.be.instanceOf(Date);
      expect(meta.CreationDate!.getTime()).to.be.within(before - 1000, Date.now() + 1000);
      expect(kms.calls('CreateKey')).to.equal(1);
    });

    it('refuses key types it does not model and malformed usages', async () => {
      const rsa = await rejectionOf(client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })));
      expect(rsa.name).to.equal('UnsupportedOperationException');
      const sign = await rejectionOf(
        client.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY' })),
      );
      expect(sign.name).to.equal('UnsupportedOperationException');
      const bogus = await rejectionOf(
        client.send(new CreateKeyCommand({ KeyUsage: 'BOGUS' as 'ENCRYPT_DECRYPT' })),
      );
      expect(bogus.name).to.equal('ValidationException');
    });

    it('describes a key by key id, key ARN, alias name and alias ARN', async () => {
      const arn = await kms.createKey({ alias: 'alias/describe-me' });
      const keyId = arn.split('/')[1];
      const aliasArn = `arn:aws:kms:${REGION}:111122223333:alias/describe-me`;
      for (const ref of [keyId, arn, 'alias/describe-me', aliasArn]) {
        const meta = await describeKey(ref);
        expect(meta.Arn, ref).to.equal(arn);
        expect(meta.KeyId, ref).to.equal(keyId);
      }
      expect(kms.calls('DescribeKey')).to.equal(4);
    });

    it('answers NotFoundException for unknown keys, aliases and foreign ARNs', async () => {
      const arn = await kms.createKey();
      const refs = [
        '00000000-0000-4000-8000-000000000000',
        'alias/nothing-here',
        `arn:aws:kms:${REGION}:111122223333:alias/nothing-here`,
        arn.replace(REGION, 'us-west-2'),
        arn.replace('111122223333', '999999999999'),
        'not-a-key',
      ];
      for (const ref of refs) {
        const error = await rejectionOf(describeKey(ref));
        expect(error, ref).to.be.instanceOf(NotFoundException);
        expect(error.name, ref).to.equal('NotFoundException');
        expect(error.$metadata?.httpStatusCode, ref).to.equal(400);
      }
    });
  });

  describe('CreateAlias', () => {
    it('points a new alias at a key given by id or ARN', async () => {
      const arn = await kms.createKey();
      await client.send(new CreateAliasCommand({ AliasName: 'alias/by-arn', TargetKeyId: arn }));
      await client.send(
        new CreateAliasCommand({ AliasName: 'alias/by-id', TargetKeyId: arn.split('/')[1] }),
      );
      expect((await describeKey('alias/by-arn')).Arn).to.equal(arn);
      expect((await describeKey('alias/by-id')).Arn).to.equal(arn);
      expect(kms.calls('CreateAlias')).to.equal(2);
    });

    it('refuses duplicates, bad and reserved names, unknown targets and alias targets', async () => {
      const arn = await kms.createKey({ alias: 'alias/taken' });
      const cases: Array<[string, string, string]> = [
        ['alias/taken', arn, 'AlreadyExistsException'],
        ['no-prefix', arn, 'ValidationException'],
        ['alias/bad name', arn, 'ValidationException'],
        ['alias/aws/reserved', arn, 'InvalidAliasNameException'],
        ['alias/fresh', '00000000-0000-4000-8000-000000000000', 'NotFoundException'],
        ['alias/fresh', 'alias/taken', 'NotFoundException'],
      ];
      for (const [name, target, expected] of cases) {
        const error = await rejectionOf(
          client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: target })),
        );
        expect(error.name, `${name} -> ${target}`).to.equal(expected);
      }
    });

    it('refuses an alias for a key pending deletion', async () => {
      const arn = await kms.createKey();
      await kms.scheduleDeletion(arn);
      const error = await rejectionOf(
        client.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: arn })),
      );
      expect(error.name).to.equal('KMSInvalidStateException');
    });
  });

  describe('GenerateDataKey', () => {
    it('returns a data key, its wrapped copy and the key ARN, for any form of key id', async () => {
      const arn = await kms.createKey({ alias: 'alias/gdk' });
      for (const ref of [arn, 'alias/gdk']) {
        const out = await client.send(
          new GenerateDataKeyCommand({
            KeyId: ref,
            KeySpec: 'AES_256',
            EncryptionContext: context,
          }),
        );
        expect(out.KeyId).to.equal(arn);
        expect(out.Plaintext).to.have.length(32);
        const back = await client.send(
          new DecryptCommand({
            CiphertextBlob: out.CiphertextBlob,
            KeyId: arn,
            EncryptionContext: context,
          }),
        );
        expect(Buffer.from(back.Plaintext!).equals(Buffer.from(out.Plaintext!))).to.equal(true);
      }
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });

    it('honours KeySpec AES_128 and NumberOfBytes', async () => {
      const arn = await kms.createKey();
      const short = await client.send(
        new GenerateDataKeyCommand({ KeyId: arn, KeySpec: 'AES_128' }),
      );
      expect(short.Plaintext).to.have.length(16);
      const custom = await client.send(
        new GenerateDataKeyCommand({ KeyId: arn, NumberOfBytes: 64 }),
      );
      expect(custom.Plaintext).to.have.length(64);
    });

    it('requires exactly one valid size', async () => {
      const arn = await kms.createKey();
      const inputs = [
        { KeyId: arn },
        { KeyId: arn, KeySpec: 'AES_256' as const, NumberOfBytes: 32 },
        { KeyId: arn, NumberOfBytes: 2000 },
        { KeyId: arn, KeySpec: 'AES_512' as 'AES_256' },
      ];
      for (const input of inputs) {
        const error = await rejectionOf(client.send(new GenerateDataKeyCommand(input)));
        expect(error.name, JSON.stringify(input)).to.equal('ValidationException');
      }
    });
  });

  describe('Encrypt and Decrypt', () => {
    it('round-trips with and without a pinned KeyId, reporting the key ARN', async () => {
      const arn = await kms.createKey({ alias: 'alias/roundtrip' });
      const plaintext = Buffer.from('attack at dawn');
      const encrypted = await client.send(
        new EncryptCommand({
          KeyId: 'alias/roundtrip',
          Plaintext: plaintext,
          EncryptionContext: context,
        }),
      );
      expect(encrypted.KeyId).to.equal(arn);
      expect(encrypted.EncryptionAlgorithm).to.equal('SYMMETRIC_DEFAULT');
      expect(Buffer.from(encrypted.CiphertextBlob!).includes(plaintext)).to.equal(false);
      for (const keyId of [undefined, arn, 'alias/roundtrip', arn.split('/')[1]]) {
        const out = await client.send(
          new DecryptCommand({
            CiphertextBlob: encrypted.CiphertextBlob,
            EncryptionContext: context,
            ...(keyId === undefined ? {} : { KeyId: keyId }),
          }),
        );
        expect(out.KeyId).to.equal(arn);
        expect(Buffer.from(out.Plaintext!).toString()).to.equal('attack at dawn');
      }
    });

    it('treats the encryption context as an unordered map', async () => {
      const arn = await kms.createKey();
      const blob = await encrypt(arn, Buffer.from('x'), { a: '1', b: '2' });
      const out = await client.send(
        new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { b: '2', a: '1' } }),
      );
      expect(Buffer.from(out.Plaintext!).toString()).to.equal('x');
    });

    it('refuses a different, missing or extended encryption context', async () => {
      const arn = await kms.createKey();
      const blob = await encrypt(arn, Buffer.from('secret'));
      const contexts: Array<Record<string, string> | undefined> = [
        { ...context, table: 'orders' },
        undefined,
        {},
        { ...context, extra: '1' },
        { purpose: 'test' },
        { 'purpose\u0000': 'test', table: 'users' },
      ];
      for (const ctx of contexts) {
        const error = await rejectionOf(
          client.send(
            new DecryptCommand({
              CiphertextBlob: blob,
              KeyId: arn,
              ...(ctx === undefined ? {} : { EncryptionContext: ctx }),
            }),
          ),
        );
        expect(error.name, JSON.stringify(ctx)).to.equal('InvalidCiphertextException');
      }
    });

    it('refuses any tampered, truncated, extended or foreign ciphertext', async () => {
      const arn = await kms.createKey();
      const blob = Buffer.from(await encrypt(arn, Buffer.from('0123456789')));
      const variants: Buffer[] = [];
      for (let i = 0; i < blob.length; i += 1) {
        const flipped = Buffer.from(blob);
        flipped[i] = flipped[i] ^ 0x01;
        variants.push(flipped);
      }
      variants.push(blob.subarray(0, blob.length - 1));
      variants.push(blob.subarray(0, 20));
      variants.push(Buffer.concat([blob, Buffer.from([0])]));
      variants.push(
        Buffer.from('definitely not a ciphertext blob at all, but long enough to parse'),
      );
      for (const [index, variant] of variants.entries()) {
        const error = await rejectionOf(
          client.send(new DecryptCommand({ CiphertextBlob: variant, EncryptionContext: context })),
        );
        expect(error.name, `variant ${index}`).to.equal('InvalidCiphertextException');
      }
    });

    it('answers IncorrectKeyException when the pinned KeyId did not make the blob', async () => {
      const owner = await kms.createKey();
      const other = await kms.createKey({ alias: 'alias/other' });
      const blob = await encrypt(owner, Buffer.from('v'));
      for (const keyId of [other, 'alias/other']) {
        const error = await rejectionOf(
          client.send(
            new DecryptCommand({ CiphertextBlob: blob, KeyId: keyId, EncryptionContext: context }),
          ),
        );
        expect(error.name, keyId).to.equal('IncorrectKeyException');
      }
      const unknown = await rejectionOf(
        client.send(
          new DecryptCommand({
            CiphertextBlob: blob,
            KeyId: 'alias/none',
            EncryptionContext: context,
          }),
        ),
      );
      expect(unknown.name).to.equal('NotFoundException');
    });

    it('enforces the documented sizes and the symmetric algorithm', async () => {
      const arn = await kms.createKey();
      const big = await rejectionOf(encrypt(arn, Buffer.alloc(4097, 1)));
      expect(big.name).to.equal('ValidationException');
      const rsa = await rejectionOf(
        client.send(
          new EncryptCommand({
            KeyId: arn,
            Plaintext: Buffer.from('x'),
            EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
          }),
        ),
      );
      expect(rsa.name).to.equal('InvalidKeyUsageException');
      const huge = await rejectionOf(
        client.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(6145, 1) })),
      );
      expect(huge.name).to.equal('ValidationException');
    });
  });

  describe('key states', () => {
    async function cryptoErrors(arn: string, blob: Uint8Array): Promise<string[]> {
      const calls = [
        encrypt(arn, Buffer.from('x')),
        client.send(new GenerateDataKeyCommand({ KeyId: arn, KeySpec: 'AES_256' })),
        client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context })),
        client.send(
          new DecryptCommand({ CiphertextBlob: blob, KeyId: arn, EncryptionContext: context }),
        ),
      ];
      return Promise.all(calls.map(async (call) => (await rejectionOf(call)).name));
    }

    it('disables and enables a key over the wire', async () => {
      const arn = await kms.createKey();
      const blob = await encrypt(arn, Buffer.from('x'));
      await client.send(new DisableKeyCommand({ KeyId: arn }));
      expect(await describeKey(arn)).to.include({ KeyState: 'Disabled', Enabled: false });
      expect(await cryptoErrors(arn, blob)).to.deep.equal(Array(4).fill('DisabledException'));
      await client.send(new DisableKeyCommand({ KeyId: arn })); // idempotent, as in KMS
      await client.send(new EnableKeyCommand({ KeyId: arn.split('/')[1] }));
      expect(await describeKey(arn)).to.include({ KeyState: 'Enabled', Enabled: true });
      await client.send(
        new DecryptCommand({ CiphertextBlob: blob, KeyId: arn, EncryptionContext: context }),
      );
      expect(kms.calls('DisableKey')).to.equal(2);
      expect(kms.calls('EnableKey')).to.equal(1);
    });

    it('schedules and cancels deletion, refusing use and state changes meanwhile', async () => {
      const arn = await kms.createKey();
      const blob = await encrypt(arn, Buffer.from('x'));
      const before = Date.now();
      const out = await client.send(
        new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 }),
      );
      expect(out.KeyId).to.equal(arn);
      expect(out.KeyState).to.equal('PendingDeletion');
      expect(out.PendingWindowInDays).to.equal(7);
      const sevenDays = 7 * 86_400_000;
      expect(out.DeletionDate!.getTime()).to.be.within(
        before + sevenDays - 2000,
        Date.now() + sevenDays + 2000,
      );
      const meta = await describeKey(arn);
      expect(meta).to.include({ KeyState: 'PendingDeletion', Enabled: false });
      expect(meta.DeletionDate).to.be.instanceOf(Date);
      expect(await cryptoErrors(arn, blob)).to.deep.equal(
        Array(4).fill('KMSInvalidStateException'),
      );
      for (const command of [
        new EnableKeyCommand({ KeyId: arn }),
        new DisableKeyCommand({ KeyId: arn }),
        new ScheduleKeyDeletionCommand({ KeyId: arn }),
      ]) {
        const error = await rejectionOf(client.send(command));
        expect(error.name).to.equal('KMSInvalidStateException');
      }
      await client.send(new CancelKeyDeletionCommand({ KeyId: arn }));
      expect(await describeKey(arn)).to.include({ KeyState: 'Disabled' });
      expect((await describeKey(arn)).DeletionDate).to.equal(undefined);
      const again = await rejectionOf(client.send(new CancelKeyDeletionCommand({ KeyId: arn })));
      expect(again.name).to.equal('KMSInvalidStateException');
    });

    it('defaults the deletion window to 30 days and validates it', async () => {
      const arn = await kms.createKey();
      const bad = await rejectionOf(
        client.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 3 })),
      );
      expect(bad.name).to.equal('ValidationException');
      const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: arn }));
      expect(out.PendingWindowInDays).to.equal(30);
    });

    it('takes only key ids and ARNs for key management, as KMS does', async () => {
      await kms.createKey({ alias: 'alias/managed' });
      const error = await rejectionOf(
        client.send(new DisableKeyCommand({ KeyId: 'alias/managed' })),
      );
      expect(error.name).to.equal('NotFoundException');
    });

    it('offers conveniences that change state without counting as calls', async () => {
      const arn = await kms.createKey({ alias: 'alias/convenient' });
      const blob = await encrypt(arn, Buffer.from('x'));
      kms.resetCalls();
      await kms.disableKey('alias/convenient');
      expect(await cryptoErrors(arn, blob)).to.deep.equal(Array(4).fill('DisabledException'));
      await kms.enableKey(arn);
      await encrypt(arn, Buffer.from('x'));
      await kms.scheduleDeletion(arn);
      expect(await cryptoErrors(arn, blob)).to.deep.equal(
        Array(4).fill('KMSInvalidStateException'),
      );
      expect((await rejectionOf(kms.enableKey(arn))).name).to.equal('KMSInvalidStateException');
      expect((await rejectionOf(kms.disableKey('alias/missing'))).name).to.equal(
        'NotFoundException',
      );
      expect(kms.calls()).to.equal(9); // 4 + 1 + 4 requests; the conveniences made none
    });
  });

  describe('wire format', () => {
    async function post(target: string | undefined, body: string) {
      const response = await fetch(`${kms.endpoint}/`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          ...(target === undefined ? {} : { 'X-Amz-Target': target }),
        },
        body,
      });
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        json: (await response.json()) as Record<string, unknown>,
      };
    }

    it('answers JSON 1.1 with __type and message on errors', async () => {
      const notJson = await post('TrentService.DescribeKey', '{not json');
      expect(notJson.status).to.equal(400);
      expect(notJson.type).to.equal('application/x-amz-json-1.1');
      expect(notJson.json.__type).to.equal('SerializationException');
      expect(notJson.json.message).to.be.a('string');
      expect((await post('TrentService.TagResource', '{}')).json.__type).to.equal(
        'UnknownOperationException',
      );
      expect((await post(undefined, '{}')).json.__type).to.equal('UnknownOperationException');
      expect((await post('TrentService.DescribeKey', '[]')).json.__type).to.equal(
        'SerializationException',
      );
    });

    it('answers ValidationException to wrong-shaped requests', async () => {
      const arn = await kms.createKey();
      const bodies: Array<[string, Record<string, unknown>]> = [
        ['DescribeKey', {}],
        ['DescribeKey', { KeyId: 42 }],
        ['Encrypt', { KeyId: arn }],
        ['Encrypt', { KeyId: arn, Plaintext: 'not base64!' }],
        ['Encrypt', { KeyId: arn, Plaintext: 'eA==', EncryptionContext: { a: 1 } }],
        ['Encrypt', { KeyId: arn, Plaintext: 'eA==', EncryptionContext: ['a'] }],
        ['Decrypt', { CiphertextBlob: '' }],
        ['GenerateDataKey', { KeyId: arn, NumberOfBytes: 1.5 }],
        ['CreateAlias', { AliasName: 'alias/x' }],
      ];
      for (const [operation, body] of bodies) {
        const answer = await post(`TrentService.${operation}`, JSON.stringify(body));
        expect(answer.status, `${operation} ${JSON.stringify(body)}`).to.equal(400);
        expect(answer.json.__type, `${operation} ${JSON.stringify(body)}`).to.equal(
          'ValidationException',
        );
      }
    });
  });

  describe('test controls', () => {
    it('counts requests per operation and in total, faulted ones included', async () => {
      const arn = await kms.createKey();
      await describeKey(arn);
      await describeKey(arn);
      kms.failNext(1, 'ThrottlingException', { operation: 'Encrypt' });
      await rejectionOf(encrypt(arn, Buffer.from('x')));
      kms.resetConnections(1, { operation: 'Encrypt' });
      await rejectionOf(encrypt(arn, Buffer.from('x')));
      expect(kms.calls('DescribeKey')).to.equal(2);
      expect(kms.calls('Encrypt')).to.equal(2);
      expect(kms.calls('Decrypt')).to.equal(0);
      expect(kms.calls()).to.equal(4);
      kms.resetCalls();
      expect(kms.calls()).to.equal(0);
      expect(kms.calls('DescribeKey')).to.equal(0);
    });

    it('fails the next N matching calls with the given exception, then recovers', async () => {
      const arn = await kms.createKey();
      kms.failNext(2, 'ThrottlingException', { operation: 'DescribeKey' });
      await encrypt(arn, Buffer.from('x')); // another operation is not affected
      for (let i = 0; i < 2; i += 1) {
        const error = await rejectionOf(describeKey(arn));
        expect(error.name).to.equal('ThrottlingException');
        expect(error.$metadata?.httpStatusCode).to.equal(400);
        expect(error.message).to.equal('Injected ThrottlingException (LocalKms.failNext)');
      }
      expect((await describeKey(arn)).Arn).to.equal(arn);
    });

    it('applies an unscoped failure to any operation, in the order queued', async () => {
      const arn = await kms.createKey();
      kms.failNext(1, 'AccessDeniedException');
      kms.failNext(1, 'DisabledException');
      expect((await rejectionOf(encrypt(arn, Buffer.from('x')))).name).to.equal(
        'AccessDeniedException',
      );
      expect((await rejectionOf(describeKey(arn))).name).to.equal('DisabledException');
      await describeKey(arn);
    });

    it('uses 5xx for service exceptions and honours a custom status and message', async () => {
      const arn = await kms.createKey();
      kms.failNext(1, 'KMSInternalException');
      const internal = await rejectionOf(describeKey(arn));
      expect(internal.name).to.equal('KMSInternalException');
      expect(internal.$metadata?.httpStatusCode).to.equal(500);
      expect(internal.$fault).to.equal('server');
      kms.failNext(1, 'DependencyTimeoutException');
      expect((await rejectionOf(describeKey(arn))).$metadata?.httpStatusCode).to.equal(503);
      kms.failNext(1, 'AccessDeniedException', { status: 403, message: 'no way' });
      const denied = await rejectionOf(describeKey(arn));
      expect(denied.$metadata?.httpStatusCode).to.equal(403);
      expect(denied.message).to.equal('no way');
    });

    it('lets the SDK raise KMSServiceException with the name of an unknown type', async () => {
      const arn = await kms.createKey();
      kms.failNext(1, 'SomethingNewException');
      const error = await rejectionOf(describeKey(arn));
      expect(error).to.be.instanceOf(KMSServiceException);
      expect(error.name).to.equal('SomethingNewException');
    });

    it('validates control arguments', () => {
      expect(() => kms.failNext(0, 'ThrottlingException')).to.throw(ValidationError);
      expect(() => kms.failNext(1, '')).to.throw(ValidationError);
      expect(() => kms.failNext(1, 'X', { status: 200 })).to.throw(ValidationError);
      expect(() => kms.resetConnections(1.5)).to.throw(ValidationError);
      expect(() => kms.setLatency(-1)).to.throw(ValidationError);
      expect(() => kms.setLatency(Number.NaN)).to.throw(ValidationError);
    });

    it('delays answers by the configured latency, per operation or for all', async () => {
      const arn = await kms.createKey();
      const elapsed = async (call: () => Promise<unknown>): Promise<number> => {
        const start = Date.now();
        await call();
        return Date.now() - start;
      };
      const describeIt = () => describeKey(arn);
      const encryptIt = () => encrypt(arn, Buffer.from('x'));
      // Wide margins between the levels: other suites may load the machine.
      kms.setLatency(400, { operation: 'DescribeKey' });
      expect(await elapsed(describeIt)).to.be.at.least(390);
      expect(await elapsed(encryptIt)).to.be.below(300);
      kms.setLatency(0, { operation: 'DescribeKey' });
      expect(await elapsed(describeIt)).to.be.below(300);
      kms.setLatency(400);
      kms.setLatency(900, { operation: 'DescribeKey' }); // wins over the global latency
      expect(await elapsed(encryptIt)).to.be.within(390, 880);
      expect(await elapsed(describeIt)).to.be.at.least(890);
      kms.setLatency(0); // clears both
      expect(await elapsed(describeIt)).to.be.below(300);
      expect(await elapsed(encryptIt)).to.be.below(300);
    });

    it('drops a delayed request whose client gave up, leaving queued faults for later ones', async () => {
      const arn = await kms.createKey();
      const impatient = kms.client({ requestTimeoutMs: 100 });
      kms.setLatency(300, { operation: 'DescribeKey' });
      const timeout = await rejectionOf(impatient.send(new DescribeKeyCommand({ KeyId: arn })));
      expect(timeout.name).to.equal('TimeoutError');
      kms.failNext(1, 'ThrottlingException', { operation: 'DescribeKey' });
      await new Promise((resolve) => setTimeout(resolve, 400)); // the abandoned request wakes up
      kms.setLatency(0);
      expect((await rejectionOf(describeKey(arn))).name).to.equal('ThrottlingException');
      expect(kms.calls('DescribeKey')).to.equal(2);
    });

    it('resets the connection of the next N matching requests', async () => {
      const arn = await kms.createKey();
      kms.resetConnections(2, { operation: 'DescribeKey' });
      for (let i = 0; i < 2; i += 1) {
        const error = await rejectionOf(describeKey(arn));
        expect(error.code).to.equal('ECONNRESET');
      }
      expect((await describeKey(arn)).Arn).to.equal(arn);
      expect(kms.calls('DescribeKey')).to.equal(3);
    });

    it('clears every fault at once', async () => {
      const arn = await kms.createKey();
      kms.failNext(5, 'ThrottlingException');
      kms.resetConnections(5);
      kms.setLatency(5000);
      kms.clearFaults();
      const start = Date.now();
      expect((await describeKey(arn)).Arn).to.equal(arn);
      expect(Date.now() - start).to.be.below(1000);
    });

    it('builds clients with a chosen request timeout and retry budget', async () => {
      const arn = await kms.createKey();
      const impatient = kms.client({ requestTimeoutMs: 100 });
      kms.setLatency(1000);
      const timeout = await rejectionOf(impatient.send(new DescribeKeyCommand({ KeyId: arn })));
      expect(timeout.name).to.equal('TimeoutError');
      kms.setLatency(0);
      const patient = kms.client({ maxAttempts: 3 });
      kms.resetCalls();
      kms.failNext(2, 'ThrottlingException');
      const out = await patient.send(new DescribeKeyCommand({ KeyId: arn }));
      expect(out.KeyMetadata!.Arn).to.equal(arn);
      expect(kms.calls('DescribeKey')).to.equal(3);
    });
  });
});
