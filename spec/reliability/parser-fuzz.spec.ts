import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import type { ItemAadSchema, StoredItem } from '../../src/crypto/associated-data';
import { dataKeyMaterial, type DataKeyMaterial } from '../../src/crypto/data-key';
import { parseEnvelope, type ParsedEnvelope } from '../../src/crypto/envelope';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import { EncryptionError } from '../../src/errors';
import { readStored, sealFor } from '../crypto/fixtures/crypto-fixtures';
import {
  Tally,
  expectedCodes,
  layoutOf,
  mutateEnvelope,
  type MutationSources,
} from '../crypto/fixtures/item-envelope-mutations';
import { SENTINELS, findSentinel, printedFormsOf } from '../support/leak-guard';
import { fuzzSeed, seededRandom, type Random, yieldToEventLoop } from './support/random';
import { recordFigures } from './support/report';
import { SETTINGS, timeoutFor } from './support/settings';

// Parser fuzzing: random and mutated inputs fed straight to the item envelope decoder, in
// process. The decoder here is the read path of one item: the magic check, parseEnvelope, the
// item's associated data, openItem with the reader's data key, then the sealed body. Every input
// (a mutated envelope, or a genuine envelope on a mutated item) must end in an EncryptionError
// whose code the documented format predicts; none may return a value or throw anything else.

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const OTHER_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/ffffffff-0000-1111-2222-333333333333';
const REPLICA_ARN = 'arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-1111-2222-333333333333';

function material(keyArn: string, additional: readonly string[] = []): DataKeyMaterial {
  const wrapped = (): Buffer => randomBytes(97 + Math.floor(Math.random() * 100));
  return dataKeyMaterial(
    keyArn,
    randomBytes(32),
    wrapped(),
    additional.map((arn) => ({ fingerprint: keyFingerprint(arn), wrappedKey: wrapped() })),
  );
}

const SCHEMA: ItemAadSchema = {
  table: 'reliability-parser',
  entity: 'Vault',
  envelope: '__td',
  partitionKey: 'id',
  signed: ['owner', 'tier'],
};

const itemOf = (id: string): StoredItem => ({
  id: { S: id },
  owner: { S: `${id}@example.com` },
  tier: { N: '2' },
  label: { S: 'unsigned' },
});

/** A change to the item a genuine envelope is stored with: each must fail with INTEGRITY. */
function mutateItem(rng: Random, item: StoredItem): { kind: string; item: StoredItem } {
  const changes: [string, Record<string, AttributeValue | undefined>][] = [
    ['itemSignedChanged', { owner: { S: 'eve@example.com' } }],
    ['itemSignedDeleted', { owner: undefined }],
    ['itemSignedRetyped', { tier: { S: '2' } }],
    ['itemSignedAdded', { tier: { N: '3' } }],
    ['itemKeyChanged', { id: { S: `${item.id.S}x` } }],
  ];
  const [kind, change] = rng.pick(changes);
  const out: Record<string, AttributeValue> = { ...item };
  for (const [name, value] of Object.entries(change)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return { kind, item: out };
}

/** Fails the test with `message` unless `condition` holds (chai is too slow for this loop). */
function check(condition: boolean, message: string): void {
  if (!condition) expect.fail(message);
}

/** What a successful parse must satisfy: the documented split, as exact views tiling the input. */
function checkParsed(bytes: Buffer, parsed: ParsedEnvelope, replay: string): void {
  const layout = layoutOf(bytes);
  check(
    layout !== undefined,
    `parseEnvelope accepted what the documented format refuses: ${replay}`,
  );
  const parts: [string, boolean][] = [
    ['version', parsed.version === 2],
    ['entry count', parsed.entries.length === layout!.entries.length],
    [
      'entries',
      parsed.entries.every(
        (entry, i) =>
          entry.fingerprint.equals(layout!.entries[i].fingerprint) &&
          entry.wrappedKey.equals(layout!.entries[i].wrappedKey),
      ),
    ],
    ['nonce', parsed.nonce.equals(bytes.subarray(layout!.nonceOffset, layout!.bodyOffset))],
    ['header', parsed.header.equals(bytes.subarray(0, layout!.bodyOffset))],
    ['tag', parsed.tag.equals(bytes.subarray(bytes.length - 16))],
    [
      'tiling',
      parsed.header.length + parsed.ciphertext.length + parsed.tag.length === bytes.length,
    ],
  ];
  for (const [part, ok] of parts) check(ok, `parseEnvelope returned a wrong ${part} for ${replay}`);
}

/** Inputs that look more and more like envelopes. */
function generatedInput(rng: Random, fingerprint: Buffer): { kind: string; bytes: Buffer } {
  switch (rng.int(4)) {
    case 0:
      return { kind: 'random', bytes: rng.bytes(rng.int(400)) };
    case 1:
      return {
        kind: 'magicPrefix',
        bytes: Buffer.concat([Buffer.from([0x54, 0x44]), rng.bytes(rng.int(400))]),
      };
    case 2: {
      // A header with plausible entries (the first often the bound key), then random bytes
      // around the shortest length that parses.
      const count = rng.pick([0, 1, 1, 1, 2, 3, 16, 17, rng.int(256)]);
      const parts: Buffer[] = [
        Buffer.from([0x54, 0x44, rng.chance(0.9) ? 2 : rng.int(256), count]),
      ];
      for (let i = 0; i < Math.min(count, 4); i += 1) {
        const w = rng.pick([0, 1, 2, rng.range(1, 300), 1024, 1025, rng.int(0x10000)]);
        const length = Buffer.alloc(2);
        length.writeUInt16BE(w);
        const fp = i === 0 && rng.chance(0.7) ? fingerprint : rng.bytes(16);
        parts.push(fp, length, rng.bytes(Math.min(Math.max(0, w + rng.range(-2, 2)), 1_100)));
      }
      parts.push(rng.bytes(Math.max(0, 28 + rng.range(-3, 40))));
      return { kind: 'headerShaped', bytes: Buffer.concat(parts) };
    }
    default: {
      const tiny = rng.bytes(rng.int(60));
      if (tiny.length >= 2 && rng.chance(0.5)) tiny.set([0x54, 0x44], 0);
      return { kind: 'short', bytes: tiny };
    }
  }
}

describe('reliability: parser fuzzing (item envelope decoder, in process)', function () {
  const total = SETTINGS.parserInputs;
  this.timeout(timeoutFor(total, 0.5));

  it(`${total} random and mutated inputs each end in an EncryptionError with the predicted code`, async () => {
    const seed = fuzzSeed();
    const rng = seededRandom(seed);
    // Half the originals carry a second entry, as with kms.additionalKeys.
    const single = material(KEY_ARN);
    const double = material(KEY_ARN, [REPLICA_ARN]);
    const other = material(OTHER_ARN);
    const valueSets: ReadonlyMap<string, unknown>[] = [
      new Map([['secret', SENTINELS.card]]),
      new Map<string, unknown>([
        ['secret', SENTINELS.note],
        ['amount', 42.5],
        ['big', -7n],
        ['flag', true],
      ]),
      new Map<string, unknown>([
        ['doc', { card: SENTINELS.card, nested: [1, 'two', { three: 3n }] }],
        ['when', new Date(0)],
        ['blob', Buffer.from(SENTINELS.token)],
      ]),
      new Map<string, unknown>([
        ['list', [SENTINELS.password, 1, false]],
        ['tags', new Set([SENTINELS.ledger, 'b'])],
        ['none', null],
      ]),
      new Map(),
    ];
    const originals = valueSets.flatMap((values, i) =>
      [single, double].map((key, k) => {
        const item = itemOf(`o-${i}-${k}`);
        return { key, item, values, bytes: sealFor(key, values, item, SCHEMA) };
      }),
    );
    const sources: MutationSources = {
      donors: valueSets.map((values, i) => sealFor(single, values, itemOf(`d-${i}`), SCHEMA)),
      foreign: valueSets.map((values, i) => sealFor(other, values, itemOf(`o-${i}-0`), SCHEMA)),
      otherFingerprints: [
        other.fingerprint,
        keyFingerprint(REPLICA_ARN),
        keyFingerprint(`${KEY_ARN}x`),
      ],
    };
    // The decoder works: every original decodes to its values.
    for (const original of originals) {
      const opened = readStored(original.key, original.bytes, original.item, SCHEMA);
      expect(opened).to.deep.equal(original.values);
    }

    const codes = new Tally();
    const kinds = new Tally();
    let parsedOk = 0;
    const startedAt = Date.now();
    for (let n = 0; n < total; n += 1) {
      if (n % 2_000 === 0) await yieldToEventLoop();
      const original = rng.pick(originals);
      let kind: string;
      let bytes: Buffer;
      let item = original.item;
      const roll = rng.next();
      if (roll < 0.45) {
        ({ kind, bytes } = mutateEnvelope(rng, original.bytes, sources));
        kind = `mutated.${kind}`;
      } else if (roll < 0.55) {
        ({ kind, item } = mutateItem(rng, original.item));
        bytes = original.bytes;
      } else {
        ({ kind, bytes } = generatedInput(rng, single.fingerprint));
      }
      kinds.add(kind);
      const replay = `input ${n} (${kind}, ${bytes.length} bytes) of seed ${seed}`;

      let parsed: ParsedEnvelope | undefined;
      try {
        parsed = parseEnvelope(bytes);
      } catch (error) {
        check(
          error instanceof EncryptionError,
          `parseEnvelope threw a non-EncryptionError for ${replay}`,
        );
        check(
          (error as EncryptionError).code === 'MALFORMED_CIPHERTEXT',
          `parseEnvelope threw ${(error as EncryptionError).code} for ${replay}`,
        );
        check(
          layoutOf(bytes) === undefined,
          `parseEnvelope refused a documented envelope: ${replay}`,
        );
      }
      if (parsed !== undefined) {
        parsedOk += 1;
        checkParsed(bytes, parsed, replay);
      }

      let outcome: unknown;
      let returned = false;
      try {
        outcome = readStored(original.key, bytes, item, SCHEMA);
        returned = true;
      } catch (error) {
        outcome = error;
      }
      check(!returned, `the decoder returned a value for ${replay}`);
      check(
        outcome instanceof EncryptionError,
        `the decoder threw a non-EncryptionError for ${replay}`,
      );
      const code = (outcome as EncryptionError).code;
      const allowed = expectedCodes(bytes, original.key.fingerprint, false);
      check(
        allowed.has(code),
        `the decoder failed with ${code}, not ${[...allowed].join('/')}, for ${replay}`,
      );
      codes.add(code);
      if (n % 997 === 0) {
        expect(findSentinel(printedFormsOf(outcome)), `a printed form of ${replay}`).to.equal(
          undefined,
        );
      }
    }
    const seconds = (Date.now() - startedAt) / 1000;
    expect(codes.total()).to.equal(total);
    // The generator reaches every class of failure, or it is not testing the decoder.
    for (const code of ['MALFORMED_CIPHERTEXT', 'KEY_NOT_ALLOWED', 'INTEGRITY']) {
      expect(codes.get(code), `outcomes with ${code}`).to.be.above(0);
    }
    for (const kind of [
      'mutated.dropEntry',
      'mutated.addEntry',
      'itemSignedDeleted',
      'headerShaped',
    ]) {
      expect(kinds.get(kind), `inputs of kind ${kind}`).to.be.above(0);
    }
    expect(parsedOk, 'inputs that parsed and were refused later').to.be.above(total / 20);
    recordFigures('parser-fuzz', {
      seed,
      inputs: total,
      parsedThenRefused: parsedOk,
      outcomes: codes.toJSON(),
      inputKinds: kinds.toJSON(),
      valuesReturned: 0,
      untypedErrors: 0,
      seconds,
    });
  });
});
