import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import { withDeadline } from '../../src/crypto/kms-deadline';
import { kmsEncryptionContext } from '../../src/crypto/kms-encryption-context';
import { KmsKeyProvider } from '../../src/crypto/kms-key-provider';
import { EncryptionError, type EncryptionErrorCode, ValidationError } from '../../src/errors';
import { LocalKms } from '../../src/testing/local-kms';

/** The EncryptionError `promise` rejects with; fails the test on success or another error. */
async function encryptionErrorOf(promise: Promise<unknown>): Promise<EncryptionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(EncryptionError);
    return error as EncryptionError;
  }
  throw new Error('expected an EncryptionError, but the call succeeded');
}

/** Everything an operator could see of a value. */
function printed(value: unknown): string {
  const error = value as Error;
  return [
    String(error.message),
    JSON.stringify(value),
    inspect(value, { depth: 10, showHidden: true }),
    String(error.stack),
  ].join('\n');
}

describe('KmsKeyProvider', () => {
  let kms: LocalKms;
  let client: KMSClient;
  let provider: KmsKeyProvider;
  let keyArn: string;

  before(async () => {
    kms = await LocalKms.start({ region: 'eu-west-1' });
    client = kms.client();
  });

  after(() => kms.stop());

  beforeEach(async () => {
    provider = new KmsKeyProvider({ client });
    keyArn = await kms.createKey();
    kms.resetCalls();
  });

  afterEach(() => kms.clearFaults());

  describe('options', () => {
    it('defaults the timeout to 3000 ms and refuses a non-positive one', () => {
      expect(provider.timeoutMs).to.equal(3000);
      for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => new KmsKeyProvider({ client, timeoutMs }), String(timeoutMs)).to.throw(
          ValidationError,
          /timeoutMs/,
        );
      }
    });

    it('never prints its client or credentials', () => {
      const text = printed(provider);
      expect(text).to.contain('KmsKeyProvider');
      expect(text).not.to.contain('secretAccessKey');
      expect(text).not.to.contain(kms.endpoint);
    });
  });

  describe('resolveKeyArn', () => {
    it('accepts a key id, key ARN, alias name and alias ARN', async () => {
      const arn = await kms.createKey({ alias: 'alias/provider-forms' });
      const refs = [
        arn.split('/')[1],
        arn,
        'alias/provider-forms',
        `arn:aws:kms:eu-west-1:111122223333:alias/provider-forms`,
      ];
      for (const ref of refs) expect(await provider.resolveKeyArn(ref), ref).to.equal(arn);
      expect(kms.calls('DescribeKey')).to.equal(4);
    });

    it('asks DescribeKey once per key id, however many and however concurrent the calls', async () => {
      const arn = await kms.createKey({ alias: 'alias/memo' });
      const concurrent = await Promise.all(
        Array.from({ length: 25 }, () => provider.resolveKeyArn('alias/memo')),
      );
      for (let i = 0; i < 25; i += 1) await provider.resolveKeyArn('alias/memo');
      expect(new Set(concurrent)).to.deep.equal(new Set([arn]));
      expect(kms.calls('DescribeKey')).to.equal(1);
      await provider.resolveKeyArn(arn);
      expect(kms.calls('DescribeKey')).to.equal(2);
    });

    it('does not remember a failure: the next call asks again', async () => {
      kms.failNext(1, 'ThrottlingException', { operation: 'DescribeKey' });
      const [first, second] = await Promise.allSettled([
        provider.resolveKeyArn(keyArn),
        provider.resolveKeyArn(keyArn),
      ]);
      expect(first.status).to.equal('rejected');
      expect(second.status).to.equal('rejected');
      const error = (first as PromiseRejectedResult).reason as EncryptionError;
      expect(error.code).to.equal('KMS_THROTTLED');
      expect(error.retryable).to.equal(true);
      expect(error.keyArn).to.equal(keyArn);
      expect(kms.calls('DescribeKey')).to.equal(1); // the concurrent caller shared the failure
      expect(await provider.resolveKeyArn(keyArn)).to.equal(keyArn);
      expect(kms.calls('DescribeKey')).to.equal(2);
    });

    it('reports a missing alias as KMS_KEY_NOT_FOUND, and finds it once it exists', async () => {
      const missing = await encryptionErrorOf(provider.resolveKeyArn('alias/later'));
      expect(missing.code).to.equal('KMS_KEY_NOT_FOUND');
      expect(missing.retryable).to.equal(false);
      expect(missing.message).to.equal(
        'KMS DescribeKey failed: the KMS key does not exist (NotFoundException)',
      );
      const arn = await kms.createKey({ alias: 'alias/later' });
      expect(await provider.resolveKeyArn('alias/later')).to.equal(arn);
    });

    it('refuses an empty key id without calling KMS', async () => {
      const error = await encryptionErrorOf(provider.resolveKeyArn(''));
      expect(error.code).to.equal('ENCRYPTION_NOT_CONFIGURED');
      expect(kms.calls()).to.equal(0);
    });
  });

  describe('generateDataKey', () => {
    it('returns a 32-byte key wrapped under the key ARN for the table context', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      expect(key.keyArn).to.equal(keyArn);
      expect(key.fingerprint).to.have.length(16);
      expect(key.fingerprint.equals(keyFingerprint(keyArn))).to.equal(true);
      expect(key.plaintextKey).to.have.length(32);
      expect(key.wrappedKey.length).to.be.greaterThan(32);
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      // The wrapped key is bound to the table's encryption context, checked with the raw SDK.
      const raw = await client.send(
        new DecryptCommand({
          CiphertextBlob: key.wrappedKey,
          KeyId: keyArn,
          EncryptionContext: kmsEncryptionContext('users'),
        }),
      );
      expect(Buffer.from(raw.Plaintext!).equals(key.plaintextKey)).to.equal(true);
      expect(kmsEncryptionContext('users')).to.deep.equal({
        'theorydb:v': '1',
        'theorydb:table': 'users',
      });
    });

    it('makes a different key every time', async () => {
      const a = await provider.generateDataKey(keyArn, 'users');
      const b = await provider.generateDataKey(keyArn, 'users');
      expect(a.plaintextKey.equals(b.plaintextKey)).to.equal(false);
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });

    it('needs a key ARN: an alias is refused before any KMS call', async () => {
      await kms.createKey({ alias: 'alias/not-an-arn' });
      const error = await encryptionErrorOf(provider.generateDataKey('alias/not-an-arn', 'users'));
      expect(error.code).to.equal('ENCRYPTION_NOT_CONFIGURED');
      expect(kms.calls()).to.equal(0);
    });
  });

  describe('decryptDataKey', () => {
    it('unwraps what generateDataKey wrapped, with KeyId pinned', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      const back = await provider.decryptDataKey(keyArn, key.wrappedKey, 'users');
      expect(back.plaintextKey.equals(key.plaintextKey)).to.equal(true);
      expect(back.wrappedKey.equals(key.wrappedKey)).to.equal(true);
      expect(back.fingerprint.equals(key.fingerprint)).to.equal(true);
      expect(kms.calls('Decrypt')).to.equal(1);
    });

    it('refuses a data key wrapped for another table (INTEGRITY)', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      const error = await encryptionErrorOf(
        provider.decryptDataKey(keyArn, key.wrappedKey, 'orders'),
      );
      expect(error.code).to.equal('INTEGRITY');
      expect(error.retryable).to.equal(false);
      expect(error.keyArn).to.equal(keyArn);
    });

    it('refuses a data key wrapped under another KMS key (KEY_NOT_ALLOWED)', async () => {
      const attackerArn = await kms.createKey();
      const planted = await provider.generateDataKey(attackerArn, 'users');
      const error = await encryptionErrorOf(
        provider.decryptDataKey(keyArn, planted.wrappedKey, 'users'),
      );
      expect(error.code).to.equal('KEY_NOT_ALLOWED');
      expect(error.keyArn).to.equal(keyArn);
      expect((error.cause as Error).name).to.equal('IncorrectKeyException');
    });

    it('refuses a tampered wrapped key (INTEGRITY)', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      const tampered = Buffer.from(key.wrappedKey);
      tampered[tampered.length - 1] = tampered[tampered.length - 1] ^ 0x80;
      const error = await encryptionErrorOf(provider.decryptDataKey(keyArn, tampered, 'users'));
      expect(error.code).to.equal('INTEGRITY');
    });

    it('refuses an empty or oversized wrapped key before any KMS call', async () => {
      for (const wrapped of [Buffer.alloc(0), Buffer.alloc(6145, 1)]) {
        const error = await encryptionErrorOf(provider.decryptDataKey(keyArn, wrapped, 'users'));
        expect(error.code).to.equal('MALFORMED_CIPHERTEXT');
      }
      expect(kms.calls()).to.equal(0);
    });

    it('keeps its own copy of the wrapped key', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      const mine = Buffer.from(key.wrappedKey);
      const back = await provider.decryptDataKey(keyArn, mine, 'users');
      mine.fill(0);
      expect(back.wrappedKey.equals(key.wrappedKey)).to.equal(true);
    });
  });

  describe('key states', () => {
    it('maps a disabled key to KMS_KEY_DISABLED for both calls', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      await kms.disableKey(keyArn);
      const generate = await encryptionErrorOf(provider.generateDataKey(keyArn, 'users'));
      const decrypt = await encryptionErrorOf(
        provider.decryptDataKey(keyArn, key.wrappedKey, 'users'),
      );
      for (const error of [generate, decrypt]) {
        expect(error.code).to.equal('KMS_KEY_DISABLED');
        expect(error.retryable).to.equal(false);
      }
      expect(generate.message).to.equal(
        'KMS GenerateDataKey failed: the KMS key is disabled (DisabledException)',
      );
      expect(decrypt.message).to.equal(
        'KMS Decrypt failed: the KMS key is disabled (DisabledException)',
      );
      await kms.enableKey(keyArn);
      await provider.decryptDataKey(keyArn, key.wrappedKey, 'users');
    });

    it('maps a key pending deletion to KMS_KEY_STATE', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      await kms.scheduleDeletion(keyArn);
      for (const call of [
        provider.generateDataKey(keyArn, 'users'),
        provider.decryptDataKey(keyArn, key.wrappedKey, 'users'),
      ]) {
        expect((await encryptionErrorOf(call)).code).to.equal('KMS_KEY_STATE');
      }
    });

    it('maps an unknown key ARN to KMS_KEY_NOT_FOUND', async () => {
      const unknown = keyArn.replace(/key\/.*/, 'key/00000000-0000-4000-8000-000000000000');
      const error = await encryptionErrorOf(provider.generateDataKey(unknown, 'users'));
      expect(error.code).to.equal('KMS_KEY_NOT_FOUND');
      expect(error.keyArn).to.equal(unknown);
    });
  });

  describe('KMS exceptions on the wire', () => {
    const cases: Array<[string, EncryptionErrorCode, boolean]> = [
      ['AccessDeniedException', 'KMS_ACCESS_DENIED', false],
      ['NotFoundException', 'KMS_KEY_NOT_FOUND', false],
      ['DisabledException', 'KMS_KEY_DISABLED', false],
      ['KMSInvalidStateException', 'KMS_KEY_STATE', false],
      ['InvalidKeyUsageException', 'KMS_KEY_STATE', false],
      ['KeyUnavailableException', 'KMS_UNAVAILABLE', true],
      ['ThrottlingException', 'KMS_THROTTLED', true],
      ['LimitExceededException', 'KMS_THROTTLED', true],
      ['KMSInternalException', 'KMS_UNAVAILABLE', true],
      ['DependencyTimeoutException', 'KMS_UNAVAILABLE', true],
      ['IncorrectKeyException', 'KEY_NOT_ALLOWED', false],
      ['InvalidCiphertextException', 'INTEGRITY', false],
      ['ValidationException', 'KMS_ERROR', false],
      ['SomethingNewException', 'KMS_ERROR', false],
    ];

    for (const [name, code, retryable] of cases) {
      it(`maps ${name} to ${code} on GenerateDataKey, Decrypt and DescribeKey`, async () => {
        const key = await provider.generateDataKey(keyArn, 'users');
        kms.resetCalls();
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['GenerateDataKey', () => provider.generateDataKey(keyArn, 'users')],
          ['Decrypt', () => provider.decryptDataKey(keyArn, key.wrappedKey, 'users')],
          ['DescribeKey', () => new KmsKeyProvider({ client }).resolveKeyArn(keyArn)],
        ];
        for (const [operation, call] of calls) {
          kms.failNext(1, name, { operation });
          const error = await encryptionErrorOf(call());
          expect(error.code, operation).to.equal(code);
          expect(error.retryable, operation).to.equal(retryable);
          expect(error.keyArn, operation).to.equal(keyArn);
          expect(error.message, operation).to.match(
            new RegExp(`^KMS ${operation} failed: .*\\(${name}\\)$`),
          );
          expect((error.cause as Error).name, operation).to.equal(name);
        }
        expect(kms.calls()).to.equal(3);
      });
    }

    it('maps an unknown 5xx to KMS_UNAVAILABLE', async () => {
      kms.failNext(1, 'BadGatewayException', { status: 502 });
      const error = await encryptionErrorOf(provider.generateDataKey(keyArn, 'users'));
      expect(error.code).to.equal('KMS_UNAVAILABLE');
      expect(error.retryable).to.equal(true);
    });
  });

  describe('timeouts and network failures', () => {
    it('gives up after timeoutMs with KMS_UNAVAILABLE', async () => {
      const impatient = new KmsKeyProvider({ client, timeoutMs: 200 });
      kms.setLatency(1500, { operation: 'GenerateDataKey' });
      const start = Date.now();
      const error = await encryptionErrorOf(impatient.generateDataKey(keyArn, 'users'));
      const elapsed = Date.now() - start;
      expect(error.code).to.equal('KMS_UNAVAILABLE');
      expect(error.retryable).to.equal(true);
      expect(error.message).to.equal('KMS GenerateDataKey failed: no answer within 200 ms');
      expect(elapsed).to.be.within(180, 700);
      kms.setLatency(0);
      await impatient.generateDataKey(keyArn, 'users');
    });

    it('times out DescribeKey and Decrypt too', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      const impatient = new KmsKeyProvider({ client, timeoutMs: 150 });
      kms.setLatency(1000);
      const describe = await encryptionErrorOf(impatient.resolveKeyArn(keyArn));
      const decrypt = await encryptionErrorOf(
        impatient.decryptDataKey(keyArn, key.wrappedKey, 'users'),
      );
      expect(describe.code).to.equal('KMS_UNAVAILABLE');
      expect(decrypt.code).to.equal('KMS_UNAVAILABLE');
      expect(decrypt.message).to.equal('KMS Decrypt failed: no answer within 150 ms');
    });

    it('maps a connection reset to KMS_UNAVAILABLE', async () => {
      kms.resetConnections(1, { operation: 'GenerateDataKey' });
      const error = await encryptionErrorOf(provider.generateDataKey(keyArn, 'users'));
      expect(error.code).to.equal('KMS_UNAVAILABLE');
      expect(error.retryable).to.equal(true);
      expect(kms.calls('GenerateDataKey')).to.equal(1);
    });

    it('maps a refused connection to KMS_UNAVAILABLE', async () => {
      const gone = await LocalKms.start({ region: 'eu-west-1' });
      const arn = await gone.createKey();
      await gone.stop();
      const orphan = gone.client();
      try {
        const error = await encryptionErrorOf(
          new KmsKeyProvider({ client: orphan }).generateDataKey(arn, 't'),
        );
        expect(error.code).to.equal('KMS_UNAVAILABLE');
      } finally {
        orphan.destroy();
      }
    });

    it('leaves no timer behind, whether the work wins or the deadline does', async () => {
      // Spy on the global timer functions (mocha keeps its own references, so only the code
      // under test shows up): every timer withDeadline starts must be cleared when it settles.
      const created: unknown[] = [];
      const cleared = new Set<unknown>();
      const realSet = globalThis.setTimeout;
      const realClear = globalThis.clearTimeout;
      globalThis.setTimeout = ((...args: Parameters<typeof realSet>) => {
        const timer = realSet(...args);
        created.push(timer);
        return timer;
      }) as unknown as typeof setTimeout;
      globalThis.clearTimeout = ((timer: NodeJS.Timeout) => {
        cleared.add(timer);
        realClear(timer);
      }) as typeof clearTimeout;
      let aborted = false;
      try {
        expect(await withDeadline(60_000, () => Promise.resolve('done'))).to.equal('done');
        const failure = await withDeadline(60_000, () =>
          Promise.reject(new Error('work failed')),
        ).catch((error: Error) => error.message);
        expect(failure).to.equal('work failed');
        const thrown = await withDeadline(60_000, () => {
          throw new Error('thrown synchronously');
        }).catch((error: Error) => error.message);
        expect(thrown).to.equal('thrown synchronously');
        const late = await withDeadline(
          20,
          (signal) =>
            new Promise<never>((_, reject) => {
              signal.addEventListener('abort', () => {
                aborted = true;
                reject(new Error('aborted'));
              });
            }),
        ).catch((error: Error) => error);
        expect(late.name).to.equal('TimeoutError');
      } finally {
        globalThis.setTimeout = realSet;
        globalThis.clearTimeout = realClear;
      }
      expect(aborted).to.equal(true);
      expect(created).to.have.length(4);
      for (const timer of created) expect(cleared.has(timer)).to.equal(true);
    });
  });

  describe("the caller's abort signal", () => {
    /** The rejection of `promise`, which must be the caller's abort, not a KMS failure. */
    async function abortOf(promise: Promise<unknown>): Promise<Error> {
      const error = await promise.then(
        () => {
          throw new Error('expected an abort, but the call succeeded');
        },
        (rejected: unknown) => rejected as Error,
      );
      expect(error.name, String(error)).to.equal('AbortError');
      expect(error).not.to.be.instanceOf(EncryptionError);
      return error;
    }

    it('an aborted signal sends nothing', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      kms.resetCalls();
      const signal = AbortSignal.abort('the reason');
      await abortOf(provider.generateDataKey(keyArn, 'users', signal));
      await abortOf(provider.decryptDataKey(keyArn, key.wrappedKey, 'users', signal));
      await abortOf(provider.wrapDataKey(keyArn, key.plaintextKey, 'users', signal));
      await abortOf(new KmsKeyProvider({ client }).resolveKeyArn(keyArn, signal));
      expect(kms.calls()).to.equal(0);
    });

    it('aborting mid request rejects at once with an AbortError, not KMS_UNAVAILABLE, and is not retried', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      kms.setLatency(1500);
      kms.resetCalls();
      const calls: [string, (signal: AbortSignal) => Promise<unknown>][] = [
        ['GenerateDataKey', (signal) => provider.generateDataKey(keyArn, 'users', signal)],
        ['Decrypt', (signal) => provider.decryptDataKey(keyArn, key.wrappedKey, 'users', signal)],
        ['Encrypt', (signal) => provider.wrapDataKey(keyArn, key.plaintextKey, 'users', signal)],
      ];
      for (const [operation, call] of calls) {
        const controller = new AbortController();
        const pending = call(controller.signal);
        while (kms.calls(operation) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        const start = Date.now();
        controller.abort(new Error('the reason'));
        const error = await abortOf(pending);
        expect(Date.now() - start, operation).to.be.below(300);
        expect(printed(error)).not.to.include('the reason');
      }
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expect(kms.calls()).to.equal(3);
    });

    it('DescribeKey is shared: an aborted caller stops waiting, the others get the ARN', async () => {
      const fresh = new KmsKeyProvider({ client });
      kms.setLatency(500, { operation: 'DescribeKey' });
      const controller = new AbortController();
      const aborted = fresh.resolveKeyArn(keyArn, controller.signal);
      const other = fresh.resolveKeyArn(keyArn);
      controller.abort();
      await abortOf(aborted);
      expect(await other).to.equal(keyArn);
      expect(await fresh.resolveKeyArn(keyArn, new AbortController().signal)).to.equal(keyArn);
      expect(kms.calls('DescribeKey')).to.equal(1);
    });

    it('leaves no listener on the signal once the call settles', async () => {
      const { signal } = new AbortController();
      const key = await provider.generateDataKey(keyArn, 'users', signal);
      await provider.decryptDataKey(keyArn, key.wrappedKey, 'users', signal);
      await new KmsKeyProvider({ client }).resolveKeyArn(keyArn, signal);
      await withDeadline(1000, () => Promise.reject(new Error('work failed')), signal).catch(
        () => undefined,
      );
      expect(getEventListeners(signal, 'abort')).to.have.length(0);
    });
  });

  describe('answers that cannot be trusted', () => {
    /** A client whose responses are rewritten after parsing: a stand-in for a lying endpoint. */
    function tamperingClient(rewrite: (output: Record<string, unknown>) => void): KMSClient {
      const liar = kms.client();
      liar.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          rewrite(result.output as unknown as Record<string, unknown>);
          return result;
        },
        { step: 'initialize', name: 'tamperWithOutput' },
      );
      return liar;
    }

    it('refuses a GenerateDataKey answer for another key (KEY_NOT_ALLOWED) and wipes its key', async () => {
      const otherArn = await kms.createKey();
      let returned: Uint8Array | undefined;
      const liar = tamperingClient((output) => {
        output.KeyId = otherArn;
        returned = output.Plaintext as Uint8Array;
      });
      const error = await encryptionErrorOf(
        new KmsKeyProvider({ client: liar }).generateDataKey(keyArn, 'users'),
      );
      expect(error.code).to.equal('KEY_NOT_ALLOWED');
      expect(error.keyArn).to.equal(keyArn);
      expect(returned).to.have.length(32);
      expect(Buffer.from(returned!).equals(Buffer.alloc(32))).to.equal(true);
    });

    it('refuses a Decrypt answer for another key (KEY_NOT_ALLOWED)', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      const liar = tamperingClient((output) => {
        output.KeyId =
          'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000000';
      });
      const error = await encryptionErrorOf(
        new KmsKeyProvider({ client: liar }).decryptDataKey(keyArn, key.wrappedKey, 'users'),
      );
      expect(error.code).to.equal('KEY_NOT_ALLOWED');
    });

    it('refuses a data key of the wrong length (INTEGRITY on Decrypt, KMS_ERROR on generate)', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      const liar = new KmsKeyProvider({
        client: tamperingClient((output) => {
          output.Plaintext = (output.Plaintext as Uint8Array).subarray(0, 16);
        }),
      });
      expect(
        (await encryptionErrorOf(liar.decryptDataKey(keyArn, key.wrappedKey, 'users'))).code,
      ).to.equal('INTEGRITY');
      expect((await encryptionErrorOf(liar.generateDataKey(keyArn, 'users'))).code).to.equal(
        'KMS_ERROR',
      );
    });

    it('refuses a DescribeKey answer for a key that cannot encrypt', async () => {
      const liar = tamperingClient((output) => {
        (output.KeyMetadata as Record<string, unknown>).KeyUsage = 'SIGN_VERIFY';
      });
      const error = await encryptionErrorOf(
        new KmsKeyProvider({ client: liar }).resolveKeyArn(keyArn),
      );
      expect(error.code).to.equal('KMS_KEY_STATE');
    });
  });

  describe('secrecy', () => {
    it('never shows the data key in material, errors, JSON or inspect output', async () => {
      const key = await provider.generateDataKey(keyArn, 'users');
      const secrets = [key.plaintextKey.toString('hex'), key.plaintextKey.toString('base64')];
      const failures = [
        await encryptionErrorOf(provider.decryptDataKey(keyArn, key.wrappedKey, 'orders')),
        await encryptionErrorOf(
          new KmsKeyProvider({ client, timeoutMs: 100 }).decryptDataKey(
            keyArn,
            key.wrappedKey,
            (kms.setLatency(500), 'users'),
          ),
        ),
      ];
      kms.setLatency(0);
      const unwrapped = await provider.decryptDataKey(keyArn, key.wrappedKey, 'users');
      for (const value of [key, unwrapped, provider, ...failures]) {
        const text = printed(value);
        for (const secret of secrets) expect(text).not.to.contain(secret);
      }
      expect(JSON.stringify(key)).to.contain('[REDACTED]');
      expect(inspect(key)).to.contain('[REDACTED]');
      expect(Object.keys(key)).not.to.include('plaintextKey');
      expect(Object.isFrozen(key)).to.equal(true);
    });
  });
});
