import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { ValueContext } from '../../src/crypto/associated-data';
import type { DataKeyMaterial } from '../../src/crypto/data-key';
import { hasEnvelopeMagic, parseEnvelope, type ParsedEnvelope } from '../../src/crypto/envelope';
import { keyFingerprint } from '../../src/crypto/key-fingerprint';
import { openValue, sealValue } from '../../src/crypto/value-cipher';
import { EncryptionError } from '../../src/errors';
import { SENTINELS, findSentinel, printedFormsOf } from '../support/leak-guard';
import {
  Tally,
  expectedCodes,
  mutateEnvelope,
  type MutationSources,
} from './support/envelope-mutations';
import { fuzzSeed, seededRandom, type Random, yieldToEventLoop } from './support/random';
import { recordFigures } from './support/report';
import { SETTINGS, timeoutFor } from './support/settings';

// Parser fuzzing: random and mutated inputs fed straight to the envelope decoder, in process.
// The decoder here is the read path of one stored B value: the magic check, parseEnvelope, then
// openValue with the right data key and context. Every input must end in an EncryptionError whose
// code is the one the documented format predicts; none may return a value or throw anything else.

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const OTHER_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/ffffffff-0000-1111-2222-333333333333';

function material(keyArn: string): DataKeyMaterial {
  return {
    keyArn,
    fingerprint: keyFingerprint(keyArn),
    plaintextKey: randomBytes(32),
    // As long as a LocalKms blob, within the realistic range of a KMS one.
    wrappedKey: randomBytes(97 + Math.floor(Math.random() * 100)),
  };
}

const context = (id: string, attribute = 'secret'): ValueContext => ({
  table: 'reliability-parser',
  entity: 'Vault',
  partitionKey: { name: 'id', value: { S: id } },
  attribute,
});

/** The read path of one stored value, as the repository runs it. */
function decode(key: DataKeyMaterial, bytes: Uint8Array, where: ValueContext): unknown {
  if (!hasEnvelopeMagic(bytes)) {
    throw new EncryptionError('PLAINTEXT_IN_ENCRYPTED_FIELD', 'not an envelope');
  }
  return openValue(key, parseEnvelope(bytes), where);
}

/** Fails the test with `message` unless `condition` holds (chai is too slow for this loop). */
function check(condition: boolean, message: string): void {
  if (!condition) expect.fail(message);
}

/** What a successful parse must satisfy: exact views that tile the input. */
function checkParsed(bytes: Buffer, parsed: ParsedEnvelope, replay: string): void {
  const w = bytes.readUInt16BE(19);
  const parts: [string, boolean][] = [
    ['version', parsed.version === 1],
    ['fingerprint', parsed.fingerprint.equals(bytes.subarray(3, 19))],
    ['wrapped key', parsed.wrappedKey.equals(bytes.subarray(21, 21 + w))],
    ['nonce', parsed.nonce.equals(bytes.subarray(21 + w, 33 + w))],
    ['header', parsed.header.equals(bytes.subarray(0, 33 + w))],
    ['tag', parsed.tag.equals(bytes.subarray(bytes.length - 16))],
    ['ciphertext', parsed.ciphertext.length >= 1],
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
      // A header with the bound fingerprint and a plausible length, then random bytes around
      // the shortest length that parses.
      const w = rng.pick([1, 2, rng.range(1, 300), 1023, 1024, 1025, rng.int(0x10000)]);
      const length = Math.max(21, 33 + w + 16 + rng.range(-3, 40));
      const bytes = rng.bytes(Math.min(length, 2_000));
      bytes[0] = 0x54;
      bytes[1] = 0x44;
      bytes[2] = rng.chance(0.9) ? 1 : rng.int(256);
      fingerprint.copy(bytes, 3);
      bytes.writeUInt16BE(w, 19);
      return { kind: 'headerShaped', bytes };
    }
    default: {
      const tiny = rng.bytes(rng.int(60));
      if (tiny.length >= 2 && rng.chance(0.5)) tiny.set([0x54, 0x44], 0);
      return { kind: 'short', bytes: tiny };
    }
  }
}

describe('reliability: parser fuzzing (envelope decoder, in process)', function () {
  const total = SETTINGS.parserInputs;
  this.timeout(timeoutFor(total, 0.5));

  it(`${total} random and mutated inputs each end in an EncryptionError with the predicted code`, async () => {
    const seed = fuzzSeed();
    const rng = seededRandom(seed);
    const key = material(KEY_ARN);
    const other = material(OTHER_ARN);
    const values: unknown[] = [
      SENTINELS.card,
      SENTINELS.note,
      42.5,
      -7n,
      true,
      null,
      new Date(0),
      Buffer.from(SENTINELS.token),
      { card: SENTINELS.card, nested: [1, 'two', { three: 3n }] },
      [SENTINELS.password, 1, false],
      new Set([SENTINELS.ledger, 'b']),
    ];
    // Originals under `key` for items o-0..o-n; donors are the same values at other items.
    const originals = values.map((value, i) => ({
      where: context(`o-${i}`),
      value,
      bytes: sealValue(key, value, context(`o-${i}`)),
    }));
    const sources: MutationSources = {
      donors: values.map((value, i) => sealValue(key, value, context(`d-${i}`, 'other'))),
      foreign: values.map((value, i) => sealValue(other, value, context(`o-${i}`))),
      otherFingerprints: [other.fingerprint, keyFingerprint(`${KEY_ARN}x`)],
    };
    // The decoder works: every original decodes to its value.
    for (const original of originals) {
      expect(decode(key, original.bytes, original.where)).to.deep.equal(original.value);
    }

    const codes = new Tally();
    const kinds = new Tally();
    let parsedOk = 0;
    const startedAt = Date.now();
    for (let n = 0; n < total; n += 1) {
      if (n % 2_000 === 0) await yieldToEventLoop();
      let kind: string;
      let bytes: Buffer;
      let where: ValueContext;
      if (rng.chance(0.5)) {
        const original = rng.pick(originals);
        ({ kind, bytes } = mutateEnvelope(rng, original.bytes, sources));
        kind = `mutated.${kind}`;
        where = original.where;
      } else {
        ({ kind, bytes } = generatedInput(rng, key.fingerprint));
        where = rng.pick(originals).where;
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
      }
      if (parsed !== undefined) {
        parsedOk += 1;
        checkParsed(bytes, parsed, replay);
      }

      let outcome: unknown;
      let returned = false;
      try {
        outcome = decode(key, bytes, where);
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
      const allowed = expectedCodes(bytes, key.fingerprint, false);
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
    for (const code of [
      'PLAINTEXT_IN_ENCRYPTED_FIELD',
      'MALFORMED_CIPHERTEXT',
      'KEY_NOT_ALLOWED',
      'INTEGRITY',
    ]) {
      expect(codes.get(code), `outcomes with ${code}`).to.be.above(0);
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
