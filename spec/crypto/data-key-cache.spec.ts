import { expect } from 'chai';
import { inspect } from 'node:util';
import type { DataKeyMaterial } from '../../src/crypto/data-key';
import { DataKeyCache, type DataKeyCacheOptions } from '../../src/crypto/data-key-cache';
import { KmsKeyProvider } from '../../src/crypto/kms-key-provider';
import { EncryptionError, ValidationError } from '../../src/errors';
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

/** How many times each distinct data key (by wrapped key) was handed out. */
function usesPerKey(keys: DataKeyMaterial[]): number[] {
  const counts = new Map<string, number>();
  for (const key of keys) {
    const id = key.wrappedKey.toString('base64');
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts.values()];
}

describe('DataKeyCache', () => {
  let kms: LocalKms;
  let provider: KmsKeyProvider;
  let keyArn: string;
  let clock: number;
  const now = (): number => clock;

  before(async () => {
    kms = await LocalKms.start();
    provider = new KmsKeyProvider({ client: kms.client() });
  });

  after(() => kms.stop());

  beforeEach(async () => {
    clock = 1_000_000;
    keyArn = await kms.createKey();
    kms.resetCalls();
  });

  afterEach(() => kms.clearFaults());

  function cache(options: Partial<DataKeyCacheOptions> = {}): DataKeyCache {
    return new DataKeyCache({ maxAgeMs: 60_000, maxUses: 1000, now, ...options });
  }

  describe('options', () => {
    it('refuses bounds that are not positive finite numbers', () => {
      const bad: Array<Partial<DataKeyCacheOptions>> = [
        { maxAgeMs: 0 },
        { maxAgeMs: -5 },
        { maxAgeMs: Number.NaN },
        { maxAgeMs: Number.POSITIVE_INFINITY },
        { maxUses: 0 },
        { maxUses: 1.5 },
        { maxUses: Number.POSITIVE_INFINITY },
        { maxEntries: 0 },
        { maxEntries: 2.5 },
        { now: 42 as unknown as () => number },
      ];
      for (const options of bad) {
        expect(() => cache(options), JSON.stringify(options)).to.throw(
          ValidationError,
          /^kms\.cache: /,
        );
      }
      expect(() => new DataKeyCache({} as DataKeyCacheOptions), 'missing bounds').to.throw(
        ValidationError,
        /maxAgeMs/,
      );
      expect(() => new DataKeyCache(null as unknown as DataKeyCacheOptions), 'null').to.throw(
        ValidationError,
        /must be an object/,
      );
      expect(() => cache({ maxAgeMs: 0.5 }), 'a fraction of a millisecond').to.throw(
        ValidationError,
        /maxAgeMs must be an integer from 1 to 3600000/,
      );
      expect(() => cache({ maxAgeMs: 1, maxUses: 1, maxEntries: 1 })).not.to.throw();
    });
  });

  describe('encryption keys', () => {
    it('renews a key after maxUses values', async () => {
      const shared = cache({ maxUses: 3 });
      const keys: DataKeyMaterial[] = [];
      for (let i = 0; i < 7; i += 1)
        keys.push(await shared.encryptionKey(provider, keyArn, 'users'));
      expect(kms.calls('GenerateDataKey')).to.equal(3);
      expect(usesPerKey(keys)).to.deep.equal([3, 3, 1]);
    });

    it('renews a key once maxAgeMs has passed since it was requested', async () => {
      const shared = cache({ maxAgeMs: 1000 });
      const first = await shared.encryptionKey(provider, keyArn, 'users');
      clock += 999;
      expect(await shared.encryptionKey(provider, keyArn, 'users')).to.equal(first);
      clock += 1;
      const renewed = await shared.encryptionKey(provider, keyArn, 'users');
      expect(renewed).not.to.equal(first);
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });

    it('keeps separate keys per (key ARN, table)', async () => {
      const shared = cache();
      const a = await shared.encryptionKey(provider, keyArn, 'users');
      const b = await shared.encryptionKey(provider, keyArn, 'orders');
      expect(a).not.to.equal(b);
      expect(await shared.encryptionKey(provider, keyArn, 'users')).to.equal(a);
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });

    it('makes exactly one GenerateDataKey for 200 concurrent callers on a cold cache', async () => {
      const shared = cache();
      const keys = await Promise.all(
        Array.from({ length: 200 }, () => shared.encryptionKey(provider, keyArn, 'users')),
      );
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      expect(new Set(keys).size).to.equal(1);
    });

    it('never hands out a key more than maxUses times, even to concurrent callers', async () => {
      const shared = cache({ maxUses: 10 });
      const keys = await Promise.all(
        Array.from({ length: 95 }, () => shared.encryptionKey(provider, keyArn, 'users')),
      );
      expect(kms.calls('GenerateDataKey')).to.equal(10);
      expect(usesPerKey(keys).sort((x, y) => y - x)).to.deep.equal([...Array(9).fill(10), 5]);
    });

    it('does not cache a failure: waiters share it, the next call asks KMS again', async () => {
      const shared = cache();
      kms.failNext(1, 'ThrottlingException', { operation: 'GenerateDataKey' });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => shared.encryptionKey(provider, keyArn, 'users')),
      );
      expect(results.map((r) => r.status)).to.deep.equal(Array(5).fill('rejected'));
      const reason = (results[0] as PromiseRejectedResult).reason as EncryptionError;
      expect(reason.code).to.equal('KMS_THROTTLED');
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      const key = await shared.encryptionKey(provider, keyArn, 'users');
      expect(key.plaintextKey).to.have.length(32);
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });
  });

  describe('decryption keys', () => {
    it('unwraps a key once and reuses it up to maxUses', async () => {
      const written = await provider.generateDataKey(keyArn, 'users');
      kms.resetCalls();
      const shared = cache({ maxUses: 5 });
      const keys: DataKeyMaterial[] = [];
      for (let i = 0; i < 12; i += 1) {
        keys.push(await shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey));
      }
      expect(kms.calls('Decrypt')).to.equal(3);
      expect(keys.every((k) => k.plaintextKey.equals(written.plaintextKey))).to.equal(true);
    });

    it('single-flights concurrent misses for one wrapped key', async () => {
      const written = await provider.generateDataKey(keyArn, 'users');
      kms.resetCalls();
      const shared = cache();
      await Promise.all(
        Array.from({ length: 100 }, () =>
          shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey),
        ),
      );
      expect(kms.calls('Decrypt')).to.equal(1);
    });

    it('expires unwrapped keys after maxAgeMs', async () => {
      const written = await provider.generateDataKey(keyArn, 'users');
      kms.resetCalls();
      const shared = cache({ maxAgeMs: 500 });
      await shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey);
      clock += 499;
      await shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey);
      expect(kms.calls('Decrypt')).to.equal(1);
      clock += 1;
      await shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey);
      expect(kms.calls('Decrypt')).to.equal(2);
    });

    it('reads back keys it generated without any Decrypt', async () => {
      const shared = cache();
      const written = await shared.encryptionKey(provider, keyArn, 'users');
      const read = await shared.decryptionKey(
        provider,
        keyArn,
        'users',
        Buffer.from(written.wrappedKey),
      );
      expect(read).to.equal(written);
      expect(kms.calls('Decrypt')).to.equal(0);
    });

    it('evicts the least recently used unwrapped key beyond maxEntries', async () => {
      const [a, b, c] = await Promise.all(
        [1, 2, 3].map(() => provider.generateDataKey(keyArn, 'users')),
      );
      kms.resetCalls();
      const shared = cache({ maxEntries: 2 });
      const read = (key: DataKeyMaterial) =>
        shared.decryptionKey(provider, keyArn, 'users', key.wrappedKey);
      await read(a);
      await read(b);
      await read(a); // a is now the most recently used
      await read(c); // evicts b
      expect(kms.calls('Decrypt')).to.equal(3);
      await read(a);
      await read(c);
      expect(kms.calls('Decrypt')).to.equal(3);
      await read(b);
      expect(kms.calls('Decrypt')).to.equal(4);
    });

    it('does not cache a Decrypt failure', async () => {
      const written = await provider.generateDataKey(keyArn, 'users');
      kms.resetCalls();
      const shared = cache();
      kms.failNext(1, 'KMSInternalException', { operation: 'Decrypt' });
      const error = await encryptionErrorOf(
        shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey),
      );
      expect(error.code).to.equal('KMS_UNAVAILABLE');
      await shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey);
      expect(kms.calls('Decrypt')).to.equal(2);
    });
  });

  describe('revocation delay', () => {
    it('keeps using cached keys of a disabled KMS key until maxAgeMs, then fails closed', async () => {
      const shared = cache({ maxAgeMs: 1000 });
      const written = await shared.encryptionKey(provider, keyArn, 'users');
      await kms.disableKey(keyArn);
      clock += 999;
      expect(await shared.encryptionKey(provider, keyArn, 'users')).to.equal(written);
      expect(await shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey)).to.equal(
        written,
      );
      clock += 1;
      const encrypt = await encryptionErrorOf(shared.encryptionKey(provider, keyArn, 'users'));
      const decrypt = await encryptionErrorOf(
        shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey),
      );
      expect(encrypt.code).to.equal('KMS_KEY_DISABLED');
      expect(decrypt.code).to.equal('KMS_KEY_DISABLED');
    });

    it('ends at once with clear()', async () => {
      const shared = cache({ maxAgeMs: 60_000 });
      const written = await shared.encryptionKey(provider, keyArn, 'users');
      await kms.disableKey(keyArn);
      shared.clear();
      expect(
        (await encryptionErrorOf(shared.encryptionKey(provider, keyArn, 'users'))).code,
      ).to.equal('KMS_KEY_DISABLED');
      expect(
        (
          await encryptionErrorOf(
            shared.decryptionKey(provider, keyArn, 'users', written.wrappedKey),
          )
        ).code,
      ).to.equal('KMS_KEY_DISABLED');
    });
  });

  it('prints no key material', async () => {
    const shared = cache();
    const key = await shared.encryptionKey(provider, keyArn, 'users');
    const text = [JSON.stringify(shared), inspect(shared, { depth: 10, showHidden: true })].join(
      '\n',
    );
    expect(text).to.contain('encryptionKeys');
    expect(text).not.to.contain(key.plaintextKey.toString('hex'));
    expect(text).not.to.contain(key.plaintextKey.toString('base64'));
  });
});
