import { expect } from 'chai';
import { inspect } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as mainEntry from '../../src';
import {
  Encrypted,
  Entity,
  entityMetadata,
  PartitionKey,
  TheoryDb,
  ValidationError,
  type KmsOptions,
  type TheoryDbOptions,
} from '../../src';
import { parseEnvelope } from '../../src/crypto/envelope';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Hole 10 of issue 10: `kms.cache` accepted any `maxUses` (beyond the 2^32 encryptions AES-GCM
// allows one key with random 96-bit nonces, NIST SP 800-38D 8.3) and any `maxAgeMs` (a revoked KMS
// key kept working for as long as the caller liked). Every cache option out of its documented
// range must be refused at `new TheoryDb(...)`, naming the option and the cap.

const SECRET = 'cache-caps-secret-0010';

@Entity({ table: uniqueTable('hole-cache-caps'), name: 'CappedSecret' })
class CappedSecret {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

/** The caps as the main entry exports them. */
interface Caps {
  readonly maxUses: number;
  readonly maxAgeMs: number;
  readonly maxEntries: number;
}

describe('hole 10: the data-key cache options are capped', function () {
  this.timeout(60_000);
  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let keyArn: string;
  let caps: Caps;

  const options = (cache: unknown): TheoryDbOptions => ({
    dynamodb: dynamo.client,
    kms: { client: kms.client(), keyId: keyArn, cache } as KmsOptions,
  });

  function refusal(cache: unknown): ValidationError {
    kms.resetCalls();
    let thrown: unknown;
    try {
      new TheoryDb(options(cache));
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `no error for ${shown(cache)}`).to.be.instanceOf(ValidationError);
    expect((thrown as ValidationError).code).to.equal('VALIDATION');
    expect(kms.calls(), 'KMS requests').to.equal(0);
    return thrown as ValidationError;
  }

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    keyArn = await kms.createKey();
    await new TheoryDb({ dynamodb: dynamo.client }).createTable(CappedSecret);
    caps = (mainEntry as unknown as { DATA_KEY_CACHE_CAPS?: Caps }).DATA_KEY_CACHE_CAPS as Caps;
  });

  it('the main entry exports the caps: maxUses at most 2^32, maxAgeMs at most a day', () => {
    expect(caps, 'DATA_KEY_CACHE_CAPS').to.be.an('object');
    expect(Object.isFrozen(caps)).to.equal(true);
    expect(Number.isSafeInteger(caps.maxUses)).to.equal(true);
    expect(caps.maxUses).to.be.at.most(2 ** 32);
    expect(Number.isSafeInteger(caps.maxAgeMs)).to.equal(true);
    expect(caps.maxAgeMs).to.be.at.most(24 * 60 * 60_000);
    expect(Number.isSafeInteger(caps.maxEntries)).to.equal(true);
  });

  it('refuses maxUses above the cap, and every maxUses that is not an integer >= 1', () => {
    const bad = [
      caps.maxUses + 1,
      2 ** 32 + 1,
      2 ** 40,
      Number.MAX_SAFE_INTEGER,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      0,
      -1,
      1.5,
      '1000',
      10n,
      null,
      undefined,
    ];
    for (const maxUses of bad) {
      const error = refusal({ maxAgeMs: 60_000, maxUses });
      expect(error.message, shown(maxUses)).to.match(/^kms\.cache: maxUses /);
      expect(error.message).to.include(String(caps.maxUses));
    }
  });

  it('refuses maxAgeMs above the cap, and every maxAgeMs that is not an integer >= 1', () => {
    const bad = [
      caps.maxAgeMs + 1,
      7 * 24 * 60 * 60_000,
      Number.MAX_SAFE_INTEGER,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      0,
      -1,
      0.5,
      1000.5,
      '60000',
      null,
      undefined,
    ];
    for (const maxAgeMs of bad) {
      const error = refusal({ maxAgeMs, maxUses: 100 });
      expect(error.message, shown(maxAgeMs)).to.match(/^kms\.cache: maxAgeMs /);
      expect(error.message).to.include(String(caps.maxAgeMs));
    }
  });

  it('refuses maxEntries above the cap or not an integer >= 1, and unknown options', () => {
    for (const maxEntries of [
      caps.maxEntries + 1,
      Number.POSITIVE_INFINITY,
      Number.NaN,
      0,
      -3,
      2.5,
      '10',
      null,
    ]) {
      const error = refusal({ maxAgeMs: 60_000, maxUses: 100, maxEntries });
      expect(error.message, shown(maxEntries)).to.match(/^kms\.cache: maxEntries /);
      expect(error.message).to.include(String(caps.maxEntries));
    }
    // A misspelt bound would otherwise be ignored, leaving the default in force.
    const typo = refusal({ maxAgeMs: 60_000, maxUses: 100, maxEntrie: 5 });
    expect(typo.message).to.match(/^kms\.cache: unknown option maxEntrie\b/);
    for (const cache of [null, 5, 'on', [60_000, 100]]) {
      expect(refusal(cache).message).to.match(/^kms\.cache: must be an object/);
    }
  });

  it('accepts the caps themselves, and the smallest values', async () => {
    for (const cache of [
      { maxAgeMs: caps.maxAgeMs, maxUses: caps.maxUses, maxEntries: caps.maxEntries },
      { maxAgeMs: 1, maxUses: 1, maxEntries: 1 },
    ]) {
      const db = new TheoryDb(options(cache));
      const repo = db.repository(CappedSecret);
      const id = `accepted-${cache.maxUses}`;
      await repo.save(Object.assign(new CappedSecret(), { id, secret: SECRET }));
      expect((await repo.get({ id })).secret).to.equal(SECRET);
    }
  });

  it('rotates the data key after maxUses encryptions (GenerateDataKey count, stored keys)', async () => {
    const maxUses = 3;
    const repo = new TheoryDb(options({ maxAgeMs: caps.maxAgeMs, maxUses })).repository(
      CappedSecret,
    );
    const ids = Array.from({ length: 7 }, (_, i) => `rotate-${i}`);
    kms.resetCalls();
    for (const id of ids) {
      await repo.save(Object.assign(new CappedSecret(), { id, secret: SECRET }));
    }
    // 7 values, 3 per data key: 3 + 3 + 1.
    expect(kms.calls('GenerateDataKey')).to.equal(3);
    const wrapped: string[] = [];
    for (const id of ids) {
      const { Item } = await dynamo.client.send(
        new GetItemCommand({
          TableName: entityMetadata(CappedSecret).table,
          Key: { id: { S: id } },
        }),
      );
      const stored = Item?.__td?.B;
      expect(stored, `${id} stored as binary`).to.be.instanceOf(Uint8Array);
      expectNoPlaintext(Buffer.from(stored as Uint8Array).toString('latin1'), SECRET, id);
      wrapped.push(
        Buffer.from(parseEnvelope(stored as Uint8Array).entries[0].wrappedKey).toString('hex'),
      );
    }
    const uses = new Map<string, number>();
    for (const key of wrapped) uses.set(key, (uses.get(key) ?? 0) + 1);
    expect([...uses.values()]).to.deep.equal([3, 3, 1]);
    expect(new Set(wrapped.slice(0, 3)).size).to.equal(1);
    expect(wrapped[3]).to.not.equal(wrapped[0]);
    expect(wrapped[6]).to.not.equal(wrapped[3]);
  });
});

function shown(value: unknown): string {
  return inspect(value, { breakLength: Infinity });
}
