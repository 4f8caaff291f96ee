import { expect } from 'chai';
import {
  Encrypted,
  Entity,
  PartitionKey,
  TheoryDb,
  ValidationError,
  type KmsOptions,
} from '../../src';
import type { LocalKms } from '../../src/testing';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Review of issue 10 (cache clock): hole 10 capped kms.cache.maxAgeMs at one hour, the delay
// after which a revoked key stops working in a process, and refused unknown options. But the
// public path still took the cache's test clock, `now`: `cache: { ..., now: () => 0 }` froze the
// cache's time, so a data key cached once kept working after its maxAgeMs, and after the KMS key
// was disabled, for as long as maxUses (up to 2^32) allowed.

@Entity({ table: uniqueTable('review-cache-clock'), name: 'ClockCredential' })
class ClockCredential {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

type Cache = NonNullable<KmsOptions['cache']>;

/** Returns once the wall clock has moved by at least `ms` (a few milliseconds; no timers). */
function clockMoves(ms: number): Promise<void> {
  const start = Date.now();
  return new Promise((resolve) => {
    const spin = () => (Date.now() - start > ms ? resolve() : setImmediate(spin));
    spin();
  });
}

describe('review: kms.cache takes no clock from the application', function () {
  this.timeout(30_000);
  let kms: LocalKms;
  let keyId: string;

  before(async () => {
    const dynamo = await sharedDynamo();
    kms = await sharedKms();
    keyId = await kms.createKey();
    await new TheoryDb({ dynamodb: dynamo.client }).createTable(ClockCredential);
  });

  after(() => kms.enableKey(keyId));

  it('a frozen clock is refused at construction; a cached key never outlives maxAgeMs', async () => {
    const dynamo = await sharedDynamo();
    const cache = { maxAgeMs: 1, maxUses: 1000, now: () => 0 } as Cache;
    let db: TheoryDb | undefined;
    let thrown: unknown;
    try {
      db = new TheoryDb({ dynamodb: dynamo.client, kms: { client: kms.client(), keyId, cache } });
    } catch (error) {
      thrown = error;
    }
    if (db !== undefined) {
      // The attack as it ran on the unfixed code: the key is disabled after one use, the data key
      // is past its maxAgeMs of 1 ms, and yet the next save must not encrypt with it.
      const repo = db.repository(ClockCredential);
      await repo.save(Object.assign(new ClockCredential(), { id: 'k1', secret: 'one' }));
      await kms.disableKey(keyId);
      await clockMoves(5);
      const late = await repo
        .save(Object.assign(new ClockCredential(), { id: 'k2', secret: 'two' }))
        .then(
          () => 'saved',
          (error: { code?: string }) => error.code,
        );
      await kms.enableKey(keyId);
      expect(late, 'a save with a data key past maxAgeMs, its KMS key disabled').to.equal(
        'KMS_KEY_DISABLED',
      );
    }
    expect(thrown).to.be.instanceOf(ValidationError);
    expect((thrown as ValidationError).code).to.equal('VALIDATION');
    expect((thrown as Error).message).to.contain('now');
  });

  it('the documented bounds still build a cache', () => {
    const cache: Cache = { maxAgeMs: 60_000, maxUses: 100, maxEntries: 10 };
    expect(
      () => new TheoryDb({ dynamodb: {} as never, kms: { client: kms.client(), keyId, cache } }),
    ).to.not.throw();
  });
});
