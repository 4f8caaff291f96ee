import { expect } from 'chai';
import {
  Encrypted,
  Entity,
  PartitionKey,
  TheoryDb,
  type KmsOptions,
  type Repository,
} from '../../src';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { expectEncryptionError } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// KMS requests per operation, counted by LocalKms as they arrive.

const A = 'counts-field-a-secret';
const B = 'counts-field-b-secret';

@Entity({ table: uniqueTable('enc-counts'), name: 'Pair' })
class Pair {
  @PartitionKey() id!: string;
  @Encrypted() a?: string;
  @Encrypted() b?: string;
}

interface Counts {
  DescribeKey: number;
  GenerateDataKey: number;
  Decrypt: number;
  total: number;
}

describe('KMS requests per operation (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let alias: string;
  let counter = 0;

  const pair = (id: string) => Object.assign(new Pair(), { id, a: A, b: B });
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  function counts(): Counts {
    return {
      DescribeKey: kms.calls('DescribeKey'),
      GenerateDataKey: kms.calls('GenerateDataKey'),
      Decrypt: kms.calls('Decrypt'),
      total: kms.calls(),
    };
  }

  /** The KMS requests `run` caused. */
  async function measure(run: () => Promise<unknown>): Promise<Counts> {
    kms.resetCalls();
    await run();
    return counts();
  }

  /** A new TheoryDb (nothing resolved, nothing cached) on the counting LocalKms. */
  function freshRepo(options: Partial<KmsOptions> = {}): Repository<Pair> {
    return new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kms.client(), keyId: alias, ...options },
    }).repository(Pair);
  }

  const prefix = (name: string) => `${name}-${(counter += 1)}`;

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    alias = `alias/${uniqueTable('enc-counts')}`;
    await kms.createKey({ alias });
    await new TheoryDb({ dynamodb: dynamo.client }).createTable(Pair);
  });

  afterEach(() => kms.clearFaults());

  describe('without a cache (the default)', () => {
    it('save of 2 encrypted fields under one key: 1 GenerateDataKey, 0 Decrypt (+1 DescribeKey on first use)', async () => {
      const repo = freshRepo();
      const p = prefix('off-save');
      const first = await measure(() => repo.save(pair(`${p}-1`)));
      expect(first).to.deep.equal({ DescribeKey: 1, GenerateDataKey: 1, Decrypt: 0, total: 2 });
      const second = await measure(() => repo.save(pair(`${p}-2`)));
      expect(second).to.deep.equal({ DescribeKey: 0, GenerateDataKey: 1, Decrypt: 0, total: 1 });
    });

    it('find of 2 fields sharing one data key: exactly 1 Decrypt', async () => {
      const repo = freshRepo();
      const id = prefix('off-find');
      await repo.save(pair(id));
      const found = await measure(async () => {
        const entity = await repo.get({ id });
        expect([entity.a, entity.b]).to.deep.equal([A, B]);
      });
      expect(found).to.deep.equal({ DescribeKey: 0, GenerateDataKey: 0, Decrypt: 1, total: 1 });
      // A cold reader pays one DescribeKey once, then 1 Decrypt per find.
      const reader = freshRepo();
      expect(await measure(() => reader.get({ id }))).to.deep.equal({
        DescribeKey: 1,
        GenerateDataKey: 0,
        Decrypt: 1,
        total: 2,
      });
      expect(await measure(() => reader.get({ id }))).to.deep.equal({
        DescribeKey: 0,
        GenerateDataKey: 0,
        Decrypt: 1,
        total: 1,
      });
    });

    it('N sequential saves: N GenerateDataKey; N finds: N Decrypt', async () => {
      const repo = freshRepo();
      await repo.save(pair(prefix('off-warm')));
      const keys = ids(prefix('off-n'), 25);
      const saves = await measure(async () => {
        for (const id of keys) await repo.save(pair(id));
      });
      expect(saves).to.deep.equal({ DescribeKey: 0, GenerateDataKey: 25, Decrypt: 0, total: 25 });
      const finds = await measure(async () => {
        for (const id of keys) expect((await repo.get({ id })).b).to.equal(B);
      });
      expect(finds).to.deep.equal({ DescribeKey: 0, GenerateDataKey: 0, Decrypt: 25, total: 25 });
    });

    it('a find of an absent item makes no KMS request; a delete makes none', async () => {
      const repo = freshRepo();
      const id = prefix('off-absent');
      expect(await measure(() => repo.find({ id }))).to.deep.equal({
        DescribeKey: 0,
        GenerateDataKey: 0,
        Decrypt: 0,
        total: 0,
      });
      await repo.save(pair(id));
      expect((await measure(() => repo.delete({ id }))).total).to.equal(0);
    });

    it('a disabled key fails the very next operation, and an enabled one works again at once', async () => {
      const keyArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-counts-disable')}` });
      const repo = freshRepo({ keyId: keyArn });
      const id = prefix('off-disable');
      await repo.save(pair(id));
      expect((await repo.get({ id })).a).to.equal(A);
      await kms.disableKey(keyArn);
      try {
        await expectEncryptionError(repo.save(pair(`${id}-next`)), {
          code: 'KMS_KEY_DISABLED',
          keyArn,
          secrets: [A, B],
        });
        await expectEncryptionError(repo.find({ id }), {
          code: 'KMS_KEY_DISABLED',
          keyArn,
          secrets: [A, B],
        });
      } finally {
        await kms.enableKey(keyArn);
      }
      expect((await repo.get({ id })).a).to.equal(A);
    });
  });

  describe('with the opt-in cache { maxAgeMs: 60000, maxUses: 1000 }', () => {
    const cache = { maxAgeMs: 60_000, maxUses: 1000 };

    it('100 sequential saves: exactly 1 GenerateDataKey; reading them back: 0 Decrypt', async () => {
      const repo = freshRepo({ cache });
      const keys = ids(prefix('on-seq'), 100);
      const saves = await measure(async () => {
        for (const id of keys) await repo.save(pair(id));
      });
      expect(saves).to.deep.equal({ DescribeKey: 1, GenerateDataKey: 1, Decrypt: 0, total: 2 });
      // Keys generated by this cache are remembered for decryption.
      const finds = await measure(async () => {
        for (const id of keys.slice(0, 20)) expect((await repo.get({ id })).a).to.equal(A);
      });
      expect(finds.total).to.equal(0);
    });

    it('50 concurrent saves on a cold cache: exactly 1 GenerateDataKey and 1 DescribeKey', async () => {
      const repo = freshRepo({ cache });
      const keys = ids(prefix('on-concurrent'), 50);
      const saves = await measure(() => Promise.all(keys.map((id) => repo.save(pair(id)))));
      expect(saves).to.deep.equal({ DescribeKey: 1, GenerateDataKey: 1, Decrypt: 0, total: 2 });
      const reader = freshRepo();
      for (const id of keys) expect((await reader.get({ id })).b).to.equal(B);
    });

    it('finds reuse decryption keys: 1 Decrypt in total for many finds under one data key', async () => {
      const writer = freshRepo({ cache });
      const keys = ids(prefix('on-read'), 30);
      for (const id of keys) await writer.save(pair(id));
      const reader = freshRepo({ cache });
      const finds = await measure(async () => {
        for (const id of keys) expect((await reader.get({ id })).a).to.equal(A);
      });
      expect(finds).to.deep.equal({ DescribeKey: 1, GenerateDataKey: 0, Decrypt: 1, total: 2 });
      const concurrent = await measure(() => Promise.all(keys.map((id) => reader.get({ id }))));
      expect(concurrent.total).to.equal(0);
      // Without a cache the same reads cost one Decrypt each.
      const uncached = freshRepo();
      await uncached.get({ id: keys[0] });
      const direct = await measure(async () => {
        for (const id of keys) await uncached.get({ id });
      });
      expect(direct.Decrypt).to.equal(keys.length);
    });

    // v2: one use per item envelope, however many encrypted fields it seals (2 here).
    it('maxUses reached: a new GenerateDataKey (2 fields, 1 envelope = 1 use per save)', async () => {
      const repo = freshRepo({ cache: { maxAgeMs: 60_000, maxUses: 2 } });
      const p = prefix('on-uses');
      kms.resetCalls();
      await repo.save(pair(`${p}-1`));
      await repo.save(pair(`${p}-2`));
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      await repo.save(pair(`${p}-3`));
      expect(kms.calls('GenerateDataKey')).to.equal(2);
      await repo.save(pair(`${p}-4`));
      expect(kms.calls('GenerateDataKey')).to.equal(2);
      await repo.save(pair(`${p}-5`));
      expect(kms.calls('GenerateDataKey')).to.equal(3);
      const reader = freshRepo();
      for (let i = 1; i <= 5; i += 1) expect((await reader.get({ id: `${p}-${i}` })).a).to.equal(A);
    });

    it('maxAgeMs reached: a new GenerateDataKey', async () => {
      const repo = freshRepo({ cache: { maxAgeMs: 150, maxUses: 1000 } });
      const p = prefix('on-age');
      kms.resetCalls();
      await repo.save(pair(`${p}-1`));
      await repo.save(pair(`${p}-2`));
      expect(kms.calls('GenerateDataKey')).to.equal(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await repo.save(pair(`${p}-3`));
      expect(kms.calls('GenerateDataKey')).to.equal(2);
    });

    it('a failed GenerateDataKey is not cached: the next save asks KMS again', async () => {
      const repo = freshRepo({ cache });
      const p = prefix('on-fail');
      await repo.find({ id: `${p}-absent` });
      kms.failNext(1, 'ThrottlingException', { operation: 'GenerateDataKey' });
      await expectEncryptionError(repo.save(pair(`${p}-1`)), {
        code: 'KMS_THROTTLED',
        secrets: [A, B],
      });
      const retry = await measure(() => repo.save(pair(`${p}-1`)));
      expect(retry.GenerateDataKey).to.equal(1);
      expect((await freshRepo().get({ id: `${p}-1` })).a).to.equal(A);
    });

    it('documented revocation delay: a cached data key keeps encrypting after the key is disabled', async () => {
      const keyArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-counts-cached')}` });
      const repo = freshRepo({ keyId: keyArn, cache });
      const p = prefix('on-revoke');
      await repo.save(pair(`${p}-1`));
      await kms.disableKey(keyArn);
      try {
        const cached = await measure(() => repo.save(pair(`${p}-2`)));
        expect(cached.total).to.equal(0);
        // A cache-less client sees the disabled key at once.
        await expectEncryptionError(freshRepo({ keyId: keyArn }).find({ id: `${p}-1` }), {
          code: 'KMS_KEY_DISABLED',
          secrets: [A, B],
        });
      } finally {
        await kms.enableKey(keyArn);
      }
    });
  });
});
