import { expect } from 'chai';
import fc from 'fast-check';
import { Type } from 'class-transformer';
import {
  Attribute,
  Entity,
  MappingError,
  PartitionKey,
  SortKey,
  ValidationError,
  entityMetadata,
} from '../../src';
import { mapperFor } from '../../src/mapping/entity-mapper';

class Part {
  @Attribute() name!: string;
  @Attribute({ dateFormat: 'epochSeconds' }) at!: Date;
}

class Note {
  text!: string;
  @Type(() => Date) when!: Date;
}

@Entity({ table: 'mapping-things' })
class Thing {
  @PartitionKey() id!: string;
  @SortKey() rank!: number;
  @Attribute() text?: string;
  @Attribute() big?: bigint;
  @Attribute() flag?: boolean;
  @Attribute() when?: Date;
  @Attribute() bytes?: Uint8Array;
  @Attribute({ type: Buffer }) buffer?: Buffer;
  @Attribute({ items: Number }) scores?: Set<number>;
  @Attribute({ items: String }) names?: string[];
  @Attribute({ items: Part }) parts?: Part[];
  @Attribute() note?: Note;
  @Attribute({ type: Object }) data?: Record<string, unknown>;
}

const mapper = () => mapperFor(entityMetadata(Thing));

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.fail('expected a throw');
}

describe('entity mapping (pure, no DynamoDB)', () => {
  it('compiles one mapper per entity', () => {
    expect(mapper()).to.equal(mapper());
  });

  it('property: fromItem(toItem(entity)) equals the entity, with exact types (1000 runs)', () => {
    const seconds = fc.integer({ min: -8.64e12, max: 8.64e12 }).map((s) => new Date(s * 1000));
    const part = fc
      .record({ name: fc.string({ unit: 'binary' }), at: seconds })
      .map((v) => Object.assign(new Part(), v));
    const note = fc
      .record({ text: fc.string(), when: fc.date({ noInvalidDate: true }) })
      .map((v) => Object.assign(new Note(), v));
    const values = fc.record(
      {
        text: fc.string({ unit: 'binary' }),
        big: fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }),
        flag: fc.boolean(),
        when: fc.date({ noInvalidDate: true }),
        bytes: fc.uint8Array(),
        buffer: fc.uint8Array().map((b) => Buffer.from(b)),
        scores: fc.uniqueArray(fc.integer(), { minLength: 1 }).map((a) => new Set(a)),
        names: fc.array(fc.string()),
        parts: fc.array(part, { maxLength: 3 }),
        note,
        data: fc.dictionary(
          // 'constructor' is excluded here and covered by its own (failing) case below.
          fc.string({ minLength: 1 }).filter((k) => k !== '__proto__' && k !== 'constructor'),
          fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
          { noNullPrototype: true },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer(), values, (id, rank, rest) => {
        const entity = Object.assign(new Thing(), { id, rank, ...rest });
        const loaded = mapper().fromItem(mapper().toItem(entity));
        expect(loaded).to.be.instanceOf(Thing);
        expect(loaded).to.deep.equal(entity);
        if (rest.bytes !== undefined) {
          expect(Object.getPrototypeOf(loaded.bytes)).to.equal(Uint8Array.prototype);
        }
        if (rest.buffer !== undefined) expect(Buffer.isBuffer(loaded.buffer)).to.equal(true);
        if (rest.big !== undefined) expect(typeof loaded.big).to.equal('bigint');
        loaded.parts?.forEach((p) => expect(p).to.be.instanceOf(Part));
        if (rest.note !== undefined) expect(loaded.note).to.be.instanceOf(Note);
      }),
      { numRuns: 1000 },
    );
  });

  it('maps a plain object with a "constructor" key (valid JSON) like any other key', () => {
    // @aws-sdk/util-dynamodb detects plain objects by `value.constructor.name === 'Object'`, so an
    // own `constructor` key makes it refuse the object.
    const data = { constructor: 'x', name: 'y' };
    const entity = Object.assign(new Thing(), { id: 'a', rank: 1, data });
    const item = mapper().toItem(entity);
    expect(item.data).to.deep.equal({ M: { constructor: { S: 'x' }, name: { S: 'y' } } });
    expect(mapper().fromItem(item).data).to.deep.equal(data);
  });

  it('builds key items from key objects', () => {
    expect(mapper().key({ id: 'a', rank: -2 })).to.deep.equal({
      id: { S: 'a' },
      rank: { N: '-2' },
    });
    expect(
      mapper().keyOfItem({ id: { S: 'a' }, rank: { N: '1' }, text: { S: 't' } }),
    ).to.deep.equal({
      id: { S: 'a' },
      rank: { N: '1' },
    });
  });

  describe('write errors are ValidationErrors naming the property, never the value', () => {
    const cases: [Partial<Record<keyof Thing, unknown>>, string, string][] = [
      [{ text: 'x'.length }, 'text', 'Thing.text must be a string, got number'],
      [{ big: 5 }, 'big', 'Thing.big must be a bigint, got number'],
      [{ flag: 'yes' }, 'flag', 'Thing.flag must be a boolean, got string'],
      [{ when: Date.now() }, 'when', 'Thing.when must be a valid Date, got number'],
      [{ bytes: [1, 2] }, 'bytes', 'Thing.bytes must be a Uint8Array, got Array'],
      [{ scores: [1] }, 'scores', 'Thing.scores must be a Set, got Array'],
      [
        { scores: new Set([1, 'two']) },
        'scores',
        'Thing.scores must be a Set of number values, got string',
      ],
      [{ names: 'a,b' }, 'names', 'Thing.names must be an array, got string'],
      [{ names: ['a', 2] }, 'names', 'Thing.names must be a string, got number'],
      [{ names: ['a', undefined] }, 'names', 'Thing.names must be a string, got undefined'],
      [
        { parts: [{ name: 'plain object', at: new Date() }, 'x'] },
        'parts',
        'Thing.parts must be an instance of Part, got string',
      ],
      [{ note: [] }, 'note', 'Thing.note must be an instance of Note, got Array'],
    ];
    for (const [values, property, message] of cases) {
      it(`${property}: ${message}`, () => {
        const entity = Object.assign(new Thing(), { id: 'a', rank: 1, ...values });
        const error = thrown(() => mapper().toItem(entity));
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).code).to.equal('VALIDATION');
        expect((error as ValidationError).message).to.equal(message);
        expect((error as ValidationError).entity).to.equal('Thing');
        expect((error as ValidationError).property).to.equal(property);
      });
    }

    it('a value DynamoDB cannot represent in a plain object', () => {
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      for (const data of [{ n: 2 ** 60 }, circular]) {
        const error = thrown(() =>
          mapper().toItem(Object.assign(new Thing(), { id: 'a', rank: 1, data })),
        );
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as ValidationError).message).to.equal(
          'Thing.data must be a plain JSON-like value (see the docs for nested classes), got Object',
        );
      }
    });
  });

  describe('read errors are MappingErrors naming the stored and expected types', () => {
    it('nested attributes of the wrong DynamoDB type', () => {
      const error = thrown(() =>
        mapper().fromItem({
          id: { S: 'a' },
          rank: { N: '1' },
          parts: { L: [{ M: { name: { S: 'n' }, at: { S: 'yesterday' } } }] },
        }),
      );
      expect(error).to.be.instanceOf(MappingError);
      expect((error as MappingError).code).to.equal('MAPPING');
      // Named by the nested class and its property.
      expect((error as MappingError).message).to.equal(
        'Part.at: stored attribute "at" is S, expected an epoch N',
      );
      expect((error as MappingError).entity).to.equal('Part');
      expect((error as MappingError).property).to.equal('at');
    });

    it('a binary where a string is declared', () => {
      const error = thrown(() =>
        mapper().fromItem({ id: { B: new Uint8Array([1]) }, rank: { N: '1' } }),
      );
      expect(error).to.be.instanceOf(MappingError);
      expect((error as MappingError).message).to.equal(
        'Thing.id: stored attribute "id" is B, expected S',
      );
      expect((error as MappingError).property).to.equal('id');
    });
  });
});
