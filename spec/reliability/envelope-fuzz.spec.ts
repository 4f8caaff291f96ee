import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  EncryptionError,
  type EncryptionErrorCode,
  Entity,
  PartitionKey,
  Signed,
  TheoryDb,
  type Repository,
} from '../../src';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { SENTINELS, findSentinel, printedFormsOf } from '../support/leak-guard';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';
import {
  Tally,
  expectedCodes,
  layoutOf,
  mutateEnvelope,
  type MutationSources,
} from '../crypto/fixtures/item-envelope-mutations';
import { fuzzSeed, seededRandom, type Random } from './support/random';
import { recordFigures } from './support/report';
import { SETTINGS, timeoutFor } from './support/settings';

// Envelope fuzzing through the repository: each item's envelope (format v2, one per item) or the
// item around it is mutated and written back into DynamoDB Local with a raw PutItem, then read
// with repo.find, with the unmodified SDK clients and LocalKms behind it. Every read must fail with
// an EncryptionError whose code the documented format predicts (plus the codes KMS itself returns
// for an altered wrapped key); none may return an entity or throw anything else.

type Item = Record<string, AttributeValue>;

@Entity({ table: uniqueTable('rel-envelope-fuzz'), name: 'FuzzVault' })
class FuzzVault {
  @PartitionKey() id!: string;
  @Signed() @Attribute() label?: string;
  @Encrypted() secret?: string;
  @Encrypted() @Attribute({ type: Object }) doc?: Record<string, unknown>;
  @Encrypted() blob?: Uint8Array;
  @Encrypted() big?: bigint;
  @Encrypted() when?: Date;
  @Encrypted() list?: unknown[];
  @Encrypted() amount?: number;
  @Encrypted() flag?: boolean;
}

/** Every encrypted field: between them, every tag of the typed plaintext. */
const FIELDS = ['secret', 'doc', 'blob', 'big', 'when', 'list', 'amount', 'flag'] as const;

/** The attribute holding the item envelope of the default key binding. */
const ENVELOPE = '__td';

/**
 * A change to the item around a genuine envelope, and the one code its read must fail with: the
 * signed attribute edited, retyped or deleted, the envelope deleted or stored as another type, or
 * an encrypted field's name written in clear.
 */
function mutateItem(
  rng: Random,
  item: Item,
): { kind: string; item: Item; code: EncryptionErrorCode } {
  const out: Item = { ...item };
  switch (rng.int(6)) {
    case 0:
      out.label = { S: `${item.label.S ?? ''}!` };
      return { kind: 'itemSignedChanged', item: out, code: 'INTEGRITY' };
    case 1:
      // Retyped: a string set where the string was. The issue requires INTEGRITY here, before
      // the mapper looks at the value.
      out.label = { SS: [item.label.S ?? 'x'] };
      return { kind: 'itemSignedRetyped', item: out, code: 'INTEGRITY' };
    case 2:
      delete out.label;
      return { kind: 'itemSignedDeleted', item: out, code: 'INTEGRITY' };
    case 3:
      delete out[ENVELOPE];
      return { kind: 'itemEnvelopeDeleted', item: out, code: 'INTEGRITY' };
    case 4:
      out[ENVELOPE] = { S: Buffer.from(item[ENVELOPE].B!).toString('base64') };
      return { kind: 'itemEnvelopeRetyped', item: out, code: 'MALFORMED_CIPHERTEXT' };
    default:
      out[rng.pick(FIELDS)] = { S: 'written in clear' };
      return { kind: 'itemPlaintextField', item: out, code: 'PLAINTEXT_IN_ENCRYPTED_FIELD' };
  }
}

/** How many reads run at once; each lane owns its items, so lanes never race. */
const LANES = 4;

describe('reliability: envelope fuzzing through find (DynamoDB Local + LocalKms)', function () {
  const total = SETTINGS.envelopeMutations;
  this.timeout(timeoutFor(total, 25));

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let repo: Repository<FuzzVault>;
  let donorRepo: Repository<FuzzVault>;
  let table: string;
  let keyArn: string;

  async function rawItem(id: string): Promise<Item> {
    const out = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    expect(out.Item, `item ${id}`).not.to.equal(undefined);
    return out.Item!;
  }

  const vault = (id: string, i: number): FuzzVault =>
    Object.assign(new FuzzVault(), {
      id,
      label: `label-${i}`,
      secret: i % 2 === 0 ? SENTINELS.card : SENTINELS.note,
      doc: { ledger: SENTINELS.ledger, i, when: new Date(i * 1000), nested: [null, 2n ** 70n] },
      blob: Buffer.from(SENTINELS.token),
      big: -(2n ** 80n) + BigInt(i),
      when: new Date(1_700_000_000_000 + i),
      list: [SENTINELS.password, i, null, false],
      amount: -12.75 * i,
      flag: i % 2 === 0,
    });

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    keyArn = await kms.createKey({ alias: `alias/${uniqueTable('rel-fuzz-a')}` });
    const otherArn = await kms.createKey({ alias: `alias/${uniqueTable('rel-fuzz-b')}` });
    // The opt-in cache: mutations that keep the wrapped key cost no Decrypt each. Mutations that
    // alter it still reach KMS (a failed unwrap is never cached).
    const db = new TheoryDb({
      dynamodb: dynamo.client,
      kms: {
        client: kms.client(),
        keyId: keyArn,
        timeoutMs: 10_000,
        cache: { maxAgeMs: 60 * 60_000, maxUses: 1_000_000_000 },
      },
    });
    await db.createTable(FuzzVault);
    repo = db.repository(FuzzVault);
    table = repo.metadata.table;
    // Without the cache: each save has its own data key, so donors carry other wrapped keys.
    donorRepo = new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kms.client(), keyId: keyArn },
    }).repository(FuzzVault);
    const foreignRepo = new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kms.client(), keyId: otherArn },
    }).repository(FuzzVault);
    await foreignRepo.save(vault('foreign-0', 0));
    await foreignRepo.save(vault('foreign-1', 1));
  });

  it(`${total} mutated envelopes read with find: each fails with a predicted EncryptionError`, async () => {
    const seed = fuzzSeed();
    const fingerprint = keyFingerprint(keyArn);

    // Two originals per lane, and donors at other items (splices and wrapped-key swaps).
    const originals: { id: string; item: Item }[] = [];
    for (let i = 0; i < LANES * 2; i += 1) {
      await repo.save(vault(`orig-${i}`, i));
      originals.push({ id: `orig-${i}`, item: await rawItem(`orig-${i}`) });
    }
    const donorItems: Item[] = [];
    for (let i = 0; i < 4; i += 1) {
      await donorRepo.save(vault(`donor-${i}`, i + 3));
      donorItems.push(await rawItem(`donor-${i}`));
    }
    const foreignItems = [await rawItem('foreign-0'), await rawItem('foreign-1')];
    const envelopes = (items: Item[]) => items.map((item) => Buffer.from(item[ENVELOPE].B!));
    const sources: MutationSources = {
      donors: envelopes(donorItems),
      foreign: envelopes(foreignItems),
      otherFingerprints: layoutOf(envelopes(foreignItems)[0])!.entries.map((e) =>
        Buffer.from(e.fingerprint),
      ),
    };
    // Encrypted values live only inside the envelope: no attribute carries a field's name.
    for (const field of FIELDS) expect(originals[0].item[field]).to.equal(undefined);
    // The harness reads the originals back: every failure below is caused by its mutation.
    for (const { id } of originals) {
      const found = await repo.find({ id }, { consistent: true });
      expect(found?.doc?.ledger).to.equal(SENTINELS.ledger);
    }

    const codes = new Tally();
    const kinds = new Tally();
    const kindCodes = new Tally();
    kms.resetCalls();
    const startedAt = Date.now();

    const lane = async (index: number): Promise<void> => {
      const rng = seededRandom((seed + index * 0x9e3779b9) >>> 0);
      const mine = originals.slice(index * 2, index * 2 + 2);
      for (let n = index; n < total; n += LANES) {
        const original = rng.pick(mine);
        let kind: string;
        let item: Item;
        let allowed: ReadonlySet<EncryptionErrorCode>;
        if (rng.chance(0.85)) {
          const mutation = mutateEnvelope(rng, Buffer.from(original.item[ENVELOPE].B!), sources);
          kind = mutation.kind;
          item = { ...original.item, [ENVELOPE]: { B: mutation.bytes } };
          allowed = expectedCodes(mutation.bytes, fingerprint, true);
        } else {
          const mutation = mutateItem(rng, original.item);
          ({ kind, item } = mutation);
          allowed = new Set([mutation.code]);
        }
        const size = item[ENVELOPE]?.B?.length ?? 0;
        const replay = `mutation ${n} (${kind}, envelope of ${size} bytes), seed ${seed}`;
        await dynamo.client.send(new PutItemCommand({ TableName: table, Item: item }));
        let outcome: unknown;
        let returned = false;
        try {
          outcome = await repo.find({ id: original.id }, { consistent: true });
          returned = true;
        } catch (error) {
          outcome = error;
        }
        if (returned)
          expect.fail(
            `find returned ${outcome === undefined ? 'undefined' : 'an entity'} for ${replay}`,
          );
        if (!(outcome instanceof EncryptionError)) {
          expect.fail(`find threw ${String((outcome as Error)?.name)} for ${replay}`);
        }
        if (!allowed.has(outcome.code)) {
          expect.fail(
            `find failed with ${outcome.code}, not ${[...allowed].join('/')}, for ${replay}`,
          );
        }
        expect(FIELDS, replay).to.include(outcome.field);
        expect(outcome.entity, replay).to.equal('FuzzVault');
        if (n % 101 === 0) {
          expect(findSentinel(printedFormsOf(outcome)), replay).to.equal(undefined);
        }
        codes.add(outcome.code);
        kinds.add(kind);
        kindCodes.add(`${kind}:${outcome.code}`);
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
    const seconds = (Date.now() - startedAt) / 1000;

    expect(codes.total()).to.equal(total);
    for (const code of [
      'PLAINTEXT_IN_ENCRYPTED_FIELD',
      'MALFORMED_CIPHERTEXT',
      'KEY_NOT_ALLOWED',
      'INTEGRITY',
    ]) {
      expect(codes.get(code), `reads failing with ${code}`).to.be.above(0);
    }
    for (const kind of ['dropEntry', 'addEntry', 'headerSwap', 'itemSignedDeleted']) {
      expect(kinds.get(kind), `mutations of kind ${kind}`).to.be.above(0);
    }
    // A wrapped key made under another KMS key is refused by KMS itself (pinned KeyId).
    expect(kindCodes.get('foreignWrappedKey:KEY_NOT_ALLOWED')).to.be.above(0);
    // Another valid wrapped key of the bound key: KMS unwraps it, the data key check refuses it.
    expect(kindCodes.get('fieldWrappedKey:INTEGRITY')).to.be.above(0);
    const decrypts = kms.calls('Decrypt');

    // Restored, the originals read back: the table and the cache are unharmed.
    for (const { id, item } of originals) {
      await dynamo.client.send(new PutItemCommand({ TableName: table, Item: item }));
      const found = await repo.get({ id }, { consistent: true });
      expect(found.doc?.ledger).to.equal(SENTINELS.ledger);
    }
    recordFigures('envelope-fuzz', {
      seed,
      mutations: total,
      reads: total,
      outcomes: codes.toJSON(),
      mutationKinds: kinds.toJSON(),
      kindOutcomes: kindCodes.toJSON(),
      kmsDecryptCalls: decrypts,
      valuesReturned: 0,
      untypedErrors: 0,
      seconds,
    });
  });
});
