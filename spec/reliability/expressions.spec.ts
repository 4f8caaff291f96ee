import { expect } from 'chai';
import fc from 'fast-check';
import {
  Attribute,
  ConditionFailedError,
  Encrypted,
  EncryptionError,
  Entity,
  PartitionKey,
  SortKey,
  TheoryDb,
  type Condition,
  type ConditionBuilder,
  type Repository,
} from '../../src';
import type { LocalKms } from '../../src/testing';
import { recordingDynamo, type DynamoRecorder } from '../support/dynamo-recorder';
import { sharedKms, uniqueTable } from '../support/stack';
import { Tally } from '../crypto/fixtures/item-envelope-mutations';
import { recordFigures } from './support/report';
import { SETTINGS, timeoutFor } from './support/settings';

// Condition and filter builders against DynamoDB Local, for arbitrary attribute names: reserved
// words, placeholder look-alikes (#n0, :v0), paths look-alikes (a.b, a[0]), quotes, spaces,
// control characters and any Unicode. DynamoDB must never refuse an expression (no
// DYNAMODB_VALIDATION), and the results must be consistent: filter(c) and filter(not c) split the
// items, and/or are intersection/union, and a conditional save or delete succeeds exactly for
// the items the filter keeps. (`__proto__` is left out: discovery refuses it, see
// typed-errors.spec.ts.) The encrypted property, under a generated name too, is sealed in the
// item's envelope (format v2): DynamoDB cannot see it, so every condition on it, exists and
// notExists included, is refused before anything is sent, and its value reads back.

/** A sample of DynamoDB's reserved words (all of them are refused unescaped in expressions). */
const RESERVED = [
  'name',
  'status',
  'data',
  'size',
  'count',
  'key',
  'value',
  'values',
  'table',
  'order',
  'user',
  'date',
  'year',
  'comment',
  'timestamp',
  'ttl',
  'type',
  'AND',
  'OR',
  'NOT',
  'BETWEEN',
  'IN',
  'BY',
  'SET',
  'REMOVE',
  'ADD',
  'DELETE',
  'SELECT',
  'WHERE',
  'GROUP',
  'LIMIT',
  'EXISTS',
  'NULL',
  'TRUE',
  'FALSE',
  'ATTRIBUTE',
  'KEYS',
  'INDEX',
  'HASH',
  'RANGE',
  'SOURCE',
  'PATH',
  'CONDITION',
];
const ODD = [
  'a.b',
  'a[0]',
  'a.b[1].c',
  '#n0',
  '#n1',
  ':v0',
  ':v1',
  '#',
  ':',
  '.',
  ' ',
  'x y',
  '"q"',
  "'q'",
  '`b`',
  '\\',
  '(a)',
  'a,b',
  'a=b',
  '<>',
  '$x',
  '-',
  '0',
  '123abc',
  'é',
  '名前',
  '🔐',
  'a\tb',
  'line\nbreak',
  '\u0000',
  'size(a)',
  'attribute_exists(x)',
];

const attributeName = fc.oneof(
  fc.constantFrom(...RESERVED),
  fc.constantFrom(...ODD),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((s) => !/\p{Cs}/u.test(s)),
  fc.tuple(fc.constantFrom(...RESERVED), fc.constantFrom(...ODD)).map(([a, b]) => a + b),
);

/** The five properties of each generated entity, and the kind of value each holds. */
const PROPERTIES = ['str', 'num', 'tags', 'list', 'secret'] as const;
type Property = (typeof PROPERTIES)[number];
/** The properties DynamoDB can see: every one but the encrypted `secret`. */
const VISIBLE = PROPERTIES.filter((p) => p !== 'secret');
type Visible = Exclude<Property, 'secret'>;

interface Row {
  readonly sk: string;
  str?: string;
  num?: number;
  tags?: Set<string>;
  list?: string[];
  secret?: string;
}

type Generated = Row & { pk: string };

function defineEntity(table: string, names: readonly string[]) {
  class Generated {
    pk!: string;
    sk!: string;
  }
  const proto = Generated.prototype;
  PartitionKey({ type: String })(proto, 'pk');
  SortKey({ type: String })(proto, 'sk');
  Attribute({ name: names[0], type: String })(proto, 'str');
  Attribute({ name: names[1], type: Number })(proto, 'num');
  Attribute({ name: names[2], type: Set, items: String })(proto, 'tags');
  Attribute({ name: names[3], type: Array, items: String })(proto, 'list');
  Encrypted()(proto, 'secret');
  Attribute({ name: names[4], type: String })(proto, 'secret');
  Entity({ table, name: 'ExprEntity' })(Generated);
  return Generated as unknown as new () => Generated;
}

const word = fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'abc', 'b c', 'zz');
const small = fc.integer({ min: -3, max: 3 });

const row: fc.Arbitrary<Omit<Row, 'sk'>> = fc.record(
  {
    str: word,
    num: small,
    tags: fc
      .uniqueArray(
        word.filter((w) => w !== ''),
        { minLength: 1, maxLength: 3 },
      )
      .map((a) => new Set(a)),
    list: fc.array(word, { maxLength: 3 }),
    secret: fc.constant('expr-secret-value'),
  },
  { requiredKeys: [] },
);

/** A condition tree as data, rendered with the builder at use (so it can be negated). */
type Tree =
  | {
      op: 'cmp';
      path: 'str' | 'num';
      cmp: '=' | '<>' | '<' | '<=' | '>' | '>=';
      value: string | number;
    }
  | { op: 'between'; path: 'str' | 'num'; low: string | number; high: string | number }
  | { op: 'in'; path: 'str' | 'num'; values: (string | number)[] }
  | { op: 'beginsWith'; prefix: string }
  | { op: 'contains'; path: 'str' | 'tags' | 'list'; value: string }
  | { op: 'exists' | 'notExists'; path: Visible }
  | {
      op: 'size';
      path: 'str' | 'tags' | 'list';
      cmp: '=' | '<>' | '<' | '<=' | '>' | '>=';
      value: number;
    }
  | { op: 'and' | 'or'; children: Tree[] }
  | { op: 'not'; child: Tree };

const cmpOp = fc.constantFrom('=', '<>', '<', '<=', '>', '>=' as const);
const nonEmptyWord = word.filter((w) => w !== '');

const { tree } = fc.letrec<{ tree: Tree; leaf: Tree }>((tie) => ({
  leaf: fc.oneof(
    fc.record({
      op: fc.constant('cmp' as const),
      path: fc.constant('str' as const),
      cmp: cmpOp,
      value: nonEmptyWord,
    }),
    fc.record({
      op: fc.constant('cmp' as const),
      path: fc.constant('num' as const),
      cmp: cmpOp,
      value: small,
    }),
    fc.tuple(nonEmptyWord, nonEmptyWord).map(([a, b]): Tree => ({
      op: 'between',
      path: 'str',
      low: a < b ? a : b,
      high: a < b ? b : a,
    })),
    fc.tuple(small, small).map(([a, b]): Tree => ({
      op: 'between',
      path: 'num',
      low: Math.min(a, b),
      high: Math.max(a, b),
    })),
    fc.record({
      op: fc.constant('in' as const),
      path: fc.constant('str' as const),
      values: fc.array(nonEmptyWord, { minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      op: fc.constant('in' as const),
      path: fc.constant('num' as const),
      values: fc.array(small, { minLength: 1, maxLength: 4 }),
    }),
    fc.record({ op: fc.constant('beginsWith' as const), prefix: nonEmptyWord }),
    fc.record({
      op: fc.constant('contains' as const),
      path: fc.constantFrom('str', 'tags', 'list' as const),
      value: nonEmptyWord,
    }),
    fc.record({
      op: fc.constantFrom('exists', 'notExists' as const),
      path: fc.constantFrom(...VISIBLE),
    }),
    fc.record({
      op: fc.constant('size' as const),
      path: fc.constantFrom('str', 'tags', 'list' as const),
      cmp: cmpOp,
      value: fc.integer({ min: 0, max: 3 }),
    }),
  ),
  tree: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    tie('leaf'),
    fc.record({
      op: fc.constantFrom('and', 'or' as const),
      children: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ op: fc.constant('not' as const), child: tie('tree') }),
  ),
}));

function build(t: Tree, c: ConditionBuilder<Generated>): Condition {
  switch (t.op) {
    case 'cmp': {
      const method = (
        { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' } as const
      )[t.cmp];
      return (c[method] as (p: string, v: unknown) => Condition)(t.path, t.value);
    }
    case 'between':
      return (c.between as (p: string, l: unknown, h: unknown) => Condition)(t.path, t.low, t.high);
    case 'in':
      return (c.in as (p: string, v: unknown[]) => Condition)(t.path, t.values);
    case 'beginsWith':
      return c.beginsWith('str', t.prefix);
    case 'contains':
      return c.contains(t.path, t.value);
    case 'exists':
      return c.exists(t.path);
    case 'notExists':
      return c.notExists(t.path);
    case 'size': {
      const method = (
        { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' } as const
      )[t.cmp];
      return c.size(t.path)[method](t.value);
    }
    case 'and':
      return c.and(...t.children.map((child) => build(child, c)));
    case 'or':
      return c.or(...t.children.map((child) => build(child, c)));
    case 'not':
      return c.not(build(t.child, c));
  }
}

describe('reliability: condition and filter expressions for arbitrary attribute names (DynamoDB Local)', function () {
  const runs = SETTINGS.propertyRuns;
  this.timeout(timeoutFor(runs, 600));

  let kms: LocalKms;
  let keyArn: string;
  let rec: DynamoRecorder;
  const table = uniqueTable('rel-expr');

  before(async () => {
    kms = await sharedKms();
    keyArn = await kms.createKey();
    rec = await recordingDynamo();
    await new TheoryDb({ dynamodb: rec.client }).createTable(
      defineEntity(table, ['a', 'b', 'c', 'd', 'e']),
    );
  });

  after(() => rec.client.destroy());

  it(`${runs} generated entities and conditions: never refused by DynamoDB, results consistent`, async () => {
    const db = new TheoryDb({ dynamodb: rec.client, kms: { client: kms.client(), keyId: keyArn } });
    const outcomes = new Tally();
    const namesUsed = new Set<string>();
    let counter = 0;
    let expressions = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          attributeName.filter((n) => !['pk', 'sk', '__proto__'].includes(n)),
          { minLength: 5, maxLength: 5 },
        ),
        fc.array(row, { minLength: 1, maxLength: 6 }),
        tree,
        tree,
        async (names, rows, first, second) => {
          counter += 1;
          names.forEach((n) => namesUsed.add(n));
          const Cls = defineEntity(table, names);
          const repo = db.repository(Cls) as Repository<Generated>;
          const pk = `run-${counter}`;
          const entities = rows.map((r, i) => Object.assign(new Cls(), { pk, sk: `i${i}`, ...r }));
          await repo.batchSave(entities);

          const secrets = new Map(entities.map((e) => [e.sk, e.secret]));
          const query = (t: Tree | ((c: ConditionBuilder<Generated>) => Condition)) =>
            repo
              .query({ pk })
              .filter(typeof t === 'function' ? t : (c) => build(t, c))
              .all()
              .then((found) => {
                for (const e of found) {
                  expect(e.secret, `${e.sk}: the sealed value`).to.equal(secrets.get(e.sk));
                }
                return new Set(found.map((e) => e.sk));
              });
          const all = new Set(entities.map((e) => e.sk));
          const a = await query(first);
          const notA = await query((c) => c.not(build(first, c)));
          const b = await query(second);
          const and = await query((c) => c.and(build(first, c), build(second, c)));
          const or = await query((c) => c.or(build(first, c), build(second, c)));
          expressions += 5;
          const sorted = (s: Set<string>) => [...s].sort();
          expect(
            sorted(new Set([...a, ...notA])),
            'filter(c) and filter(not c) cover the items',
          ).to.deep.equal(sorted(all));
          expect(
            [...a].filter((sk) => notA.has(sk)),
            'filter(c) and filter(not c) are disjoint',
          ).to.deep.equal([]);
          expect(sorted(and), 'and = intersection').to.deep.equal(
            sorted(new Set([...a].filter((sk) => b.has(sk)))),
          );
          expect(sorted(or), 'or = union').to.deep.equal(sorted(new Set([...a, ...b])));

          // The encrypted property in any condition, beside a generated one: refused, nothing sent.
          const sentBefore = rec.count();
          for (const onSecret of [
            (c: ConditionBuilder<Generated>) => c.and(build(first, c), c.exists('secret')),
            (c: ConditionBuilder<Generated>) => c.or(build(second, c), c.notExists('secret')),
          ]) {
            for (const attempt of [
              () => repo.query({ pk }).filter(onSecret).all(),
              () => repo.save(entities[0], { condition: onSecret }),
            ]) {
              const error = await attempt().then(
                () => expect.fail('a condition on the encrypted property was sent'),
                (e: unknown) => e,
              );
              expect(error).to.be.instanceOf(EncryptionError);
              expect((error as EncryptionError).code).to.equal('ENCRYPTED_FIELD_NOT_QUERYABLE');
              outcomes.add('encrypted:refused');
            }
          }
          expect(rec.count(), 'requests for refused conditions').to.equal(sentBefore);

          // Conditional writes render the same condition: they succeed exactly where it holds.
          for (const entity of entities) {
            const outcome = await repo.save(entity, { condition: (c) => build(first, c) }).then(
              () => 'written',
              (error: unknown) => {
                expect(error, 'only a failed condition may refuse the save').to.be.instanceOf(
                  ConditionFailedError,
                );
                return 'refused';
              },
            );
            expressions += 1;
            expect(outcome, `save of ${entity.sk} under the condition`).to.equal(
              a.has(entity.sk) ? 'written' : 'refused',
            );
            outcomes.add(`save:${outcome}`);
          }
          const victim = entities[0];
          const deleted = await repo
            .delete({ pk, sk: victim.sk }, { condition: (c) => build(second, c) })
            .then(
              () => true,
              (error: unknown) => {
                expect(error).to.be.instanceOf(ConditionFailedError);
                return false;
              },
            );
          expressions += 1;
          expect(deleted, 'conditional delete').to.equal(b.has(victim.sk));
          outcomes.add(`delete:${deleted ? 'deleted' : 'refused'}`);
        },
      ),
      { numRuns: runs },
    );
    recordFigures('expressions', {
      runs: counter,
      distinctAttributeNames: namesUsed.size,
      expressionsSent: expressions,
      requests: rec.count(),
      refusedByDynamoDB: 0,
      outcomes: outcomes.toJSON(),
    });
  });
});
