import { expect } from 'chai';
import { inspect } from 'node:util';
import { DataKeyCache } from '../../src/crypto/data-key-cache';
import { DataKeyScope } from '../../src/crypto/data-key-scope';
import { KmsKeyProvider } from '../../src/crypto/kms-key-provider';
import { EncryptionError } from '../../src/errors';
import { LocalKms } from '../../src/testing/local-kms';

async function encryptionErrorOf(promise: Promise<unknown>): Promise<EncryptionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(EncryptionError);
    return error as EncryptionError;
  }
  throw new Error('expected an EncryptionError, but the call succeeded');
}

describe('DataKeyScope', () => {
  let kms: LocalKms;
  let provider: KmsKeyProvider;
  let keyArn: string;

  before(async () => {
    kms = await LocalKms.start();
    provider = new KmsKeyProvider({ client: kms.client() });
  });

  after(() => kms.stop());

  beforeEach(async () => {
    keyArn = await kms.createKey();
    kms.resetCalls();
  });

  afterEach(() => kms.clearFaults());

  describe('encryptionKey', () => {
    it('makes one GenerateDataKey for 50 concurrent callers, who all get the same key', async () => {
      const scope = new DataKeyScope(provider);
      const keys = await Promise.all(
        Array.from({ length: 50 }, () => scope.encryptionKey(keyArn, 'users')),
      );
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      expect(new Set(keys).size).to.equal(1);
      expect(keys[0].keyArn).to.equal(keyArn);
      await scope.encryptionKey(keyArn, 'users');
      expect(kms.calls('GenerateDataKey')).to.equal(1);
    });

    it('keeps one key per (key ARN, table)', async () => {
      const otherArn = await kms.createKey();
      const scope = new DataKeyScope(provider);
      const [a, b, c, a2] = await Promise.all([
        scope.encryptionKey(keyArn, 'users'),
        scope.encryptionKey(keyArn, 'orders'),
        scope.encryptionKey(otherArn, 'users'),
        scope.encryptionKey(keyArn, 'users'),
      ]);
      expect(kms.calls('GenerateDataKey')).to.equal(3);
      expect(a2).to.equal(a);
      expect(new Set([a, b, c]).size).to.equal(3);
      expect(c.keyArn).to.equal(otherArn);
    });

    it('starts afresh in every scope: keys are not shared across operations', async () => {
      const first = await new DataKeyScope(provider).encryptionKey(keyArn, 'users');
      const second = await new DataKeyScope(provider).encryptionKey(keyArn, 'users');
      expect(first.plaintextKey.equals(second.plaintextKey)).to.equal(false);
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });

    it('sees a disabled key at once in the next scope (no cache, no revocation delay)', async () => {
      await new DataKeyScope(provider).encryptionKey(keyArn, 'users');
      await kms.disableKey(keyArn);
      const error = await encryptionErrorOf(
        new DataKeyScope(provider).encryptionKey(keyArn, 'users'),
      );
      expect(error.code).to.equal('KMS_KEY_DISABLED');
    });

    it('shares one failure with every caller and never retries inside the scope', async () => {
      kms.failNext(1, 'ThrottlingException', { operation: 'GenerateDataKey' });
      const scope = new DataKeyScope(provider);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => scope.encryptionKey(keyArn, 'users')),
      );
      const reasons = results.map((r) => (r as PromiseRejectedResult).reason as EncryptionError);
      expect(results.every((r) => r.status === 'rejected')).to.equal(true);
      expect(new Set(reasons).size).to.equal(1);
      expect(reasons[0].code).to.equal('KMS_THROTTLED');
      const later = await encryptionErrorOf(scope.encryptionKey(keyArn, 'users'));
      expect(later).to.equal(reasons[0]);
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      await new DataKeyScope(provider).encryptionKey(keyArn, 'users');
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });
  });

  describe('decryptionKey', () => {
    it('makes one Decrypt for 20 requests of the same wrapped key', async () => {
      const written = await provider.generateDataKey(keyArn, 'users');
      kms.resetCalls();
      const scope = new DataKeyScope(provider);
      const keys = await Promise.all(
        Array.from({ length: 10 }, () => scope.decryptionKey(keyArn, 'users', written.wrappedKey)),
      );
      for (let i = 0; i < 10; i += 1) {
        keys.push(await scope.decryptionKey(keyArn, 'users', Buffer.from(written.wrappedKey)));
      }
      expect(kms.calls('Decrypt')).to.equal(1);
      expect(new Set(keys).size).to.equal(1);
      expect(keys[0].plaintextKey.equals(written.plaintextKey)).to.equal(true);
    });

    it('makes one Decrypt per distinct wrapped key', async () => {
      const a = await provider.generateDataKey(keyArn, 'users');
      const b = await provider.generateDataKey(keyArn, 'users');
      kms.resetCalls();
      const scope = new DataKeyScope(provider);
      const wrapped = [a, b, a, b, a].map((key) => key.wrappedKey);
      const keys = await Promise.all(wrapped.map((w) => scope.decryptionKey(keyArn, 'users', w)));
      expect(kms.calls('Decrypt')).to.equal(2);
      expect(keys[0].plaintextKey.equals(a.plaintextKey)).to.equal(true);
      expect(keys[1].plaintextKey.equals(b.plaintextKey)).to.equal(true);
    });

    it('reuses a key generated in the same scope without any Decrypt', async () => {
      const scope = new DataKeyScope(provider);
      const written = await scope.encryptionKey(keyArn, 'users');
      const read = await scope.decryptionKey(keyArn, 'users', Buffer.from(written.wrappedKey));
      expect(read).to.equal(written);
      expect(kms.calls('Decrypt')).to.equal(0);
      expect(kms.calls()).to.equal(1);
    });

    it('does not reuse a generated key for another table: KMS decides, and refuses', async () => {
      const scope = new DataKeyScope(provider);
      const written = await scope.encryptionKey(keyArn, 'users');
      const error = await encryptionErrorOf(
        scope.decryptionKey(keyArn, 'orders', written.wrappedKey),
      );
      expect(error.code).to.equal('INTEGRITY');
      expect(kms.calls('Decrypt')).to.equal(1);
    });

    it('shares a Decrypt failure with every caller of the scope', async () => {
      const written = await provider.generateDataKey(keyArn, 'users');
      kms.resetCalls();
      kms.failNext(1, 'KMSInternalException', { operation: 'Decrypt' });
      const scope = new DataKeyScope(provider);
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => scope.decryptionKey(keyArn, 'users', written.wrappedKey)),
      );
      expect(results.map((r) => r.status)).to.deep.equal(Array(5).fill('rejected'));
      const error = await encryptionErrorOf(
        scope.decryptionKey(keyArn, 'users', written.wrappedKey),
      );
      expect(error.code).to.equal('KMS_UNAVAILABLE');
      expect(error.retryable).to.equal(true);
      expect(kms.calls('Decrypt')).to.equal(1);
    });

    it('pins the key: a wrapped key from another KMS key fails with KEY_NOT_ALLOWED', async () => {
      const attacker = await provider.generateDataKey(await kms.createKey(), 'users');
      const error = await encryptionErrorOf(
        new DataKeyScope(provider).decryptionKey(keyArn, 'users', attacker.wrappedKey),
      );
      expect(error.code).to.equal('KEY_NOT_ALLOWED');
    });
  });

  describe('with a cache', () => {
    it('asks the cache on every call, so each call counts one use', async () => {
      const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 3 });
      const scope = new DataKeyScope(provider, cache);
      const keys = [];
      for (let i = 0; i < 4; i += 1) keys.push(await scope.encryptionKey(keyArn, 'users'));
      expect(kms.calls('GenerateDataKey')).to.equal(2);
      expect(keys[2]).to.equal(keys[0]);
      expect(keys[3]).not.to.equal(keys[0]);
    });

    it('shares keys across scopes through the cache', async () => {
      const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 100 });
      const a = await new DataKeyScope(provider, cache).encryptionKey(keyArn, 'users');
      const b = await new DataKeyScope(provider, cache).encryptionKey(keyArn, 'users');
      const c = await new DataKeyScope(provider, cache).decryptionKey(
        keyArn,
        'users',
        a.wrappedKey,
      );
      expect(b).to.equal(a);
      expect(c.plaintextKey.equals(a.plaintextKey)).to.equal(true);
      expect(kms.calls()).to.equal(1);
    });

    it('still fails closed inside the scope, while the cache itself does not keep the failure', async () => {
      const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 100 });
      const scope = new DataKeyScope(provider, cache);
      kms.failNext(1, 'ThrottlingException', { operation: 'GenerateDataKey' });
      const first = await encryptionErrorOf(scope.encryptionKey(keyArn, 'users'));
      const again = await encryptionErrorOf(scope.encryptionKey(keyArn, 'users'));
      expect(again).to.equal(first);
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      await new DataKeyScope(provider, cache).encryptionKey(keyArn, 'users');
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });
  });

  it('prints no key material', async () => {
    const scope = new DataKeyScope(provider);
    const key = await scope.encryptionKey(keyArn, 'users');
    const text = [JSON.stringify(scope), inspect(scope, { depth: 10, showHidden: true })].join(
      '\n',
    );
    expect(text).to.contain('DataKeyScope');
    expect(text).not.to.contain(key.plaintextKey.toString('hex'));
    expect(text).not.to.contain(key.plaintextKey.toString('base64'));
  });
});
