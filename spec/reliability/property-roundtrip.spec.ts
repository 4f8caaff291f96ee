import { expect } from 'chai';
import fc from 'fast-check';
import {
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  ValidationError,
  type Repository,
} from '../../src';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { SENTINELS } from '../support/leak-guard';
import { expectNoPlaintext } from '../support/leak-check';
import { sharedKms, uniqueTable } from '../support/stack';
import { recordFigures } from './support/report';
import { SETTINGS, timeoutFor } from './support/settings';

// Property tests (fast-check) against DynamoDB Local + LocalKms: entities with arbitrary values in
// every supported type, in plain and in @Encrypted properties, are saved and found again exactly,
// with the type they were saved with.

@Entity({ table: uniqueTable('rel-prop-all'), name: 'AllTypes' })
class AllTypes {
  @PartitionKey() id!: string;
  @SortKey() n!: number;
  // Plain attributes, one per stored type.
  @Attribute() text?: string;
  @Attribute() num?: number;
  @Attribute() big?: bigint;
  @Attribute() flag?: boolean;
  @Attribute() when?: Date;
  @Attribute({ dateFormat: 'epochMs' }) whenMs?: Date;
  @Attribute({ dateFormat: 'epochSeconds' }) whenS?: Date;
  @Attribute() bytes?: Uint8Array;
  @Attribute({ type: Buffer }) buffer?: Buffer;
  @Attribute({ items: String }) tags?: Set<string>;
  @Attribute({ items: Number }) scores?: Set<number>;
  @Attribute({ items: Uint8Array }) blobs?: Set<Uint8Array>;
  @Attribute({ items: String }) names?: string[];
  @Attribute({ type: Object }) data?: Record<string, unknown>;
  @Attribute({ type: String }) nothing?: string | null;
  // The same types, encrypted.
  @Encrypted() eText?: string;
  @Encrypted() eNum?: number;
  @Encrypted() eBig?: bigint;
  @Encrypted() eFlag?: boolean;
  @Encrypted() eWhen?: Date;
  @Encrypted() eBytes?: Uint8Array;
  @Encrypted() eBuffer?: Buffer;
  @Encrypted() eTags?: Set<string>;
  @Encrypted() @Attribute({ type: Set }) eScores?: Set<number>;
  @Encrypted() eList?: unknown[];
  @Encrypted() @Attribute({ type: Object }) eDoc?: Record<string, unknown>;
  @Encrypted() @Attribute({ type: String }) eNothing?: string | null;
}

type Values = Omit<AllTypes, 'id' | 'n'>;

/** DynamoDB numbers: magnitudes from 1e-130 to below 1e126, 38 significant digits. */
const storableDouble = fc
  .double({ noNaN: true, noDefaultInfinity: true, min: -9.99e125, max: 9.99e125 })
  .map((n) => (Math.abs(n) < 1e-130 ? 0 : n));
/** What the number codec gives back: `String(n)` round-trips every finite double but -0. */
const afterNumberCodec = (n: number): number => Number(String(n));

/** An unpaired surrogate (with the `u` flag a valid pair is one code point). */
const UNPAIRED_SURROGATE = /\p{Cs}/u;
const wellFormed = (maxLength: number) =>
  fc.string({ unit: 'binary', maxLength }).filter((s) => !UNPAIRED_SURROGATE.test(s));
const anyDate = fc.date({ noInvalidDate: true });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });

// Plain objects go through @aws-sdk/util-dynamodb: safe-range numbers, no 'constructor' key.
const plainKey = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 8 })
  .filter((k) => k !== '__proto__' && k !== 'constructor');
const { plainValue } = fc.letrec((tie) => ({
  plainValue: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('plainValue'), { maxLength: 4 }),
    fc.dictionary(plainKey, tie('plainValue'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

// The typed plaintext keeps every JavaScript value it supports, nested: any double (NaN, -0,
// infinities), any bigint, Dates, bytes, Buffers, Sets, Maps, null, arrays and objects.
const { secretValue } = fc.letrec((tie) => ({
  secretValue: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    wellFormed(16),
    fc.double(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.boolean(),
    fc.constant(null),
    anyDate,
    bytes(16),
    bytes(16).map((b) => Buffer.from(b)),
    fc.array(tie('secretValue'), { maxLength: 4 }),
    fc.uniqueArray(fc.oneof(wellFormed(6), fc.double()), { maxLength: 4 }).map((a) => new Set(a)),
    fc.array(fc.tuple(wellFormed(6), tie('secretValue')), { maxLength: 3 }).map((e) => new Map(e)),
    fc.dictionary(wellFormed(8), tie('secretValue'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 5 });

const values: fc.Arbitrary<Values> = fc.record({
  text: optional(fc.string({ unit: 'binary', maxLength: 40 })),
  num: optional(storableDouble),
  big: optional(fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n })),
  flag: optional(fc.boolean()),
  when: optional(anyDate),
  whenMs: optional(anyDate),
  whenS: optional(anyDate.map((d) => new Date(Math.trunc(d.getTime() / 1000) * 1000))),
  bytes: optional(bytes(48)),
  buffer: optional(bytes(48).map((b) => Buffer.from(b))),
  tags: optional(
    fc.uniqueArray(fc.string({ maxLength: 8 }), { maxLength: 5 }).map((a) => new Set(a)),
  ),
  scores: optional(
    fc.uniqueArray(fc.integer({ min: -1e9, max: 1e9 }), { maxLength: 5 }).map((a) => new Set(a)),
  ),
  blobs: optional(
    fc
      .uniqueArray(bytes(6), { maxLength: 4, selector: (b) => Buffer.from(b).toString('hex') })
      .map((a) => new Set(a)),
  ),
  names: optional(fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { maxLength: 5 })),
  data: optional(fc.dictionary(plainKey, plainValue, { maxKeys: 5, noNullPrototype: true })),
  nothing: optional(fc.constantFrom(null, 'something')),
  eText: optional(fc.oneof(wellFormed(60), fc.constantFrom(...Object.values(SENTINELS)))),
  eNum: optional(fc.double()),
  eBig: optional(fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n })),
  eFlag: optional(fc.boolean()),
  eWhen: optional(anyDate),
  eBytes: optional(bytes(64)),
  eBuffer: optional(bytes(64).map((b) => Buffer.from(b))),
  eTags: optional(fc.uniqueArray(wellFormed(8), { maxLength: 5 }).map((a) => new Set(a))),
  eScores: optional(fc.uniqueArray(fc.double(), { maxLength: 5 }).map((a) => new Set(a))),
  eList: optional(fc.array(secretValue, { maxLength: 5 })),
  eDoc: optional(fc.dictionary(wellFormed(8), secretValue, { maxKeys: 5, noNullPrototype: true })),
  eNothing: optional(fc.constantFrom(null, SENTINELS.note)),
});

/** What a plain attribute reads back as: storage rules of DynamoDB, documented in the README. */
function expectedPlain(saved: Values): Partial<Values> {
  const out: Partial<Values> = { ...saved };
  if (saved.num !== undefined) out.num = afterNumberCodec(saved.num);
  // DynamoDB cannot store an empty set: it is left out and loads as undefined.
  for (const key of ['tags', 'scores', 'blobs'] as const) {
    if ((saved[key]?.size ?? 0) === 0) delete out[key];
  }
  for (const key of Object.keys(out) as (keyof Values)[]) {
    if (out[key] === undefined) delete out[key];
  }
  return out;
}

describe('reliability: property round-trip of every type, plain and encrypted (DynamoDB Local + LocalKms)', function () {
  const runs = SETTINGS.propertyRuns;
  this.timeout(timeoutFor(runs, 150));

  let repo: Repository<AllTypes>;
  let rec: DynamoRecorder;

  before(async () => {
    const kms = await sharedKms();
    rec = await recordingDynamo();
    const db = new TheoryDb({
      dynamodb: rec.client,
      kms: { client: kms.client(), keyId: await kms.createKey() },
    });
    await db.createTable(AllTypes);
    repo = db.repository(AllTypes);
  });

  after(() => rec.client.destroy());

  it(`${runs} generated entities come back exactly, with their types`, async () => {
    let counter = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(values, async (generated) => {
        counter += 1;
        const entity = Object.assign(new AllTypes(), {
          id: `e-${counter}`,
          n: counter,
          ...generated,
        });
        await repo.save(entity);
        const loaded = await repo.get({ id: entity.id, n: counter }, { consistent: true });
        const expected = Object.assign(new AllTypes(), {
          id: entity.id,
          n: counter,
          ...expectedPlain(generated),
        });
        expect(loaded).to.be.instanceOf(AllTypes);
        expect(loaded).to.deep.equal(expected);
        // Types, not just values: chai's deep equality would accept some look-alikes.
        for (const key of Object.keys(expected) as (keyof AllTypes)[]) {
          const want = expected[key] as unknown;
          const got = loaded[key] as unknown;
          if (want !== null && typeof want === 'object') {
            expect(Object.getPrototypeOf(got), `prototype of ${key}`).to.equal(
              Object.getPrototypeOf(want),
            );
          } else {
            expect(typeof got, `type of ${key}`).to.equal(typeof want);
          }
        }
        if (generated.eNum !== undefined)
          expect(Object.is(loaded.eNum, generated.eNum)).to.equal(true);
      }),
      { numRuns: runs },
    );
    expect(counter).to.be.at.least(runs);
    for (const secret of Object.values(SENTINELS)) {
      expectNoPlaintext(rec.bodies(), secret, 'a DynamoDB request body');
    }
    recordFigures('property-roundtrip', {
      runs: counter,
      plainProperties: repo.metadata.plainAttributes.length,
      encryptedProperties: repo.metadata.encryptedAttributes.length,
      seconds: (Date.now() - started) / 1000,
      mismatches: 0,
    });
  });

  it(`${SETTINGS.unitPropertyRuns} strings with unpaired surrogates in an encrypted field: ValidationError before any request`, async () => {
    let runsDone = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
        fc.constantFrom('\ud800', '\udfff', 'a\udc00b'),
        async (text, lone) => {
          runsDone += 1;
          rec.clear();
          const entity = Object.assign(new AllTypes(), { id: 'bad', n: 0, eText: text + lone });
          const error = await repo.save(entity).then(
            () => expect.fail('an unpaired surrogate was saved'),
            (e: unknown) => e,
          );
          expect(error).to.be.instanceOf(ValidationError);
          expect((error as ValidationError).property).to.equal('eText');
          expect(rec.count()).to.equal(0);
        },
      ),
      { numRuns: SETTINGS.unitPropertyRuns },
    );
    recordFigures('property-unpaired-surrogates', { runs: runsDone, requestsSent: 0 });
  });
});
