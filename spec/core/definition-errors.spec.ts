import { expect } from 'chai';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Type } from 'class-transformer';
import {
  Attribute,
  type Constructor,
  CreatedAt,
  Encrypted,
  Entity,
  EntityDefinitionError,
  Index,
  PartitionKey,
  Signed,
  SortKey,
  TheoryDb,
  TheoryDbError,
  Ttl,
  UpdatedAt,
  Version,
  entityMetadata,
} from '../../src';

// Never sends anything: definition errors are thrown when the repository is built.
const offlineClient = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
});

function definitionErrorOf(run: () => unknown): EntityDefinitionError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an EntityDefinitionError').to.be.instanceOf(EntityDefinitionError);
  return caught as EntityDefinitionError;
}

/**
 * Asserts that both `entityMetadata(target)` and `db.repository(target)` refuse the class with
 * the exact error, every time (a failed discovery is not cached as a success).
 */
function expectDefinitionError(
  target: Constructor<object>,
  property: string | undefined,
  message: string,
  entity = target.name,
): EntityDefinitionError {
  const error = definitionErrorOf(() => entityMetadata(target));
  expect(error).to.be.instanceOf(TheoryDbError);
  expect(error.name).to.equal('EntityDefinitionError');
  expect(error.code).to.equal('ENTITY_DEFINITION');
  expect(error.entity).to.equal(entity);
  expect(error.property).to.equal(property);
  expect(error.message).to.equal(message);
  expect(error.toJSON()).to.deep.equal({
    name: 'EntityDefinitionError',
    code: 'ENTITY_DEFINITION',
    message,
    entity,
    property,
  });

  const again = definitionErrorOf(() =>
    new TheoryDb({ dynamodb: offlineClient }).repository(target),
  );
  expect(again.message).to.equal(message);
  expect(again.property).to.equal(property);
  return error;
}

const KEY_TYPES = 'must be a string, number, bigint, Uint8Array or Date, not';

describe('entity definition errors', () => {
  describe('the class', () => {
    it('refuses a class without @Entity', () => {
      class NotAnEntity {
        @PartitionKey() id!: string;
      }
      expectDefinitionError(
        NotAnEntity,
        undefined,
        'NotAnEntity: is not an entity: add @Entity({ table: "..." }) to the class',
      );
    });

    it('refuses a class with no theorydb decorator at all', () => {
      class Bare {
        id = 'x';
      }
      expectDefinitionError(
        Bare,
        undefined,
        'Bare: is not an entity: add @Entity({ table: "..." }) to the class',
      );
    });

    it('refuses an undecorated subclass of an entity (an entity is declared per class)', () => {
      @Entity({ table: 'base-entities' })
      class BaseEntity {
        @PartitionKey() id!: string;
      }
      class UndecoratedChild extends BaseEntity {}
      expect(entityMetadata(BaseEntity).table).to.equal('base-entities');
      expectDefinitionError(
        UndecoratedChild,
        undefined,
        'UndecoratedChild: is not an entity: add @Entity({ table: "..." }) to the class',
      );
    });

    it('refuses something that is not a class', () => {
      const error = definitionErrorOf(() => entityMetadata(42 as unknown as Constructor<object>));
      expect(error.message).to.equal('expected an entity class');
      expect(error.entity).to.equal('42');
      expect(error.property).to.equal(undefined);
    });

    it('refuses a table name shorter than 3 or longer than 255 characters', () => {
      @Entity({ table: 'ab' })
      class ShortTable {
        @PartitionKey() id!: string;
      }
      expectDefinitionError(
        ShortTable,
        undefined,
        'ShortTable: @Entity needs a table name of 3 to 255 characters',
      );
      @Entity({ table: 't'.repeat(256) })
      class LongTable {
        @PartitionKey() id!: string;
      }
      expectDefinitionError(
        LongTable,
        undefined,
        'LongTable: @Entity needs a table name of 3 to 255 characters',
      );
    });

    it('refuses an empty entity name', () => {
      @Entity({ table: 'named-entities', name: '' })
      class EmptyName {
        @PartitionKey() id!: string;
      }
      expectDefinitionError(
        EmptyName,
        undefined,
        'EmptyName: @Entity({ name }) must be a non-empty string',
      );
    });
  });

  describe('keys', () => {
    it('refuses an entity without a partition key', () => {
      @Entity({ table: 'no-partition' })
      class NoPartition {
        @SortKey() sk!: string;
        @Attribute() name?: string;
      }
      expectDefinitionError(
        NoPartition,
        undefined,
        'NoPartition: has no partition key: add @PartitionKey() to one property',
      );
    });

    it('refuses two partition keys, naming the second', () => {
      @Entity({ table: 'two-partitions' })
      class TwoPartitions {
        @PartitionKey() first!: string;
        @PartitionKey() second!: string;
      }
      expectDefinitionError(
        TwoPartitions,
        'second',
        'TwoPartitions.second: a second @PartitionKey (the first is first); an entity has exactly one',
      );
    });

    it('refuses two sort keys, naming the second', () => {
      @Entity({ table: 'two-sorts' })
      class TwoSorts {
        @PartitionKey() id!: string;
        @SortKey() a!: string;
        @SortKey() b!: number;
      }
      expectDefinitionError(
        TwoSorts,
        'b',
        'TwoSorts.b: a second @SortKey (the first is a); an entity has at most one',
      );
    });

    it('refuses a boolean partition key', () => {
      @Entity({ table: 'bool-partition' })
      class BoolPartition {
        @PartitionKey() active!: boolean;
      }
      expectDefinitionError(
        BoolPartition,
        'active',
        `BoolPartition.active: @PartitionKey ${KEY_TYPES} boolean`,
      );
    });

    it('refuses a sort key of a plain object, a set or a list', () => {
      @Entity({ table: 'object-sort' })
      class ObjectSort {
        @PartitionKey() id!: string;
        @SortKey({ type: Object }) meta!: Record<string, unknown>;
      }
      expectDefinitionError(ObjectSort, 'meta', `ObjectSort.meta: @SortKey ${KEY_TYPES} Object`);

      @Entity({ table: 'set-sort' })
      class SetSort {
        @PartitionKey() id!: string;
        @SortKey({ items: String }) tags!: Set<string>;
      }
      expectDefinitionError(SetSort, 'tags', `SetSort.tags: @SortKey ${KEY_TYPES} Set`);

      @Entity({ table: 'list-sort' })
      class ListSort {
        @PartitionKey() id!: string;
        @SortKey({ items: String }) names!: string[];
      }
      expectDefinitionError(ListSort, 'names', `ListSort.names: @SortKey ${KEY_TYPES} Array`);
    });
  });

  describe('@Encrypted', () => {
    const onKey =
      '@Encrypted cannot be used on a key attribute: DynamoDB must read keys in clear. ' +
      'Encrypt another attribute, or key by an opaque id';

    it('refuses @Encrypted on a partition key', () => {
      @Entity({ table: 'enc-partition' })
      class EncryptedPartition {
        @Encrypted() @PartitionKey() id!: string;
      }
      expectDefinitionError(EncryptedPartition, 'id', `EncryptedPartition.id: ${onKey}`);
    });

    it('refuses @Encrypted on a sort key', () => {
      @Entity({ table: 'enc-sort' })
      class EncryptedSort {
        @PartitionKey() id!: string;
        @Encrypted() @SortKey() sk!: string;
      }
      expectDefinitionError(EncryptedSort, 'sk', `EncryptedSort.sk: ${onKey}`);
    });

    it('refuses @Encrypted on an index key', () => {
      @Entity({ table: 'enc-index' })
      class EncryptedIndex {
        @PartitionKey() id!: string;
        @Encrypted() @Index('byEmail', { partition: true }) @Attribute() email!: string;
      }
      expectDefinitionError(
        EncryptedIndex,
        'email',
        'EncryptedIndex.email: @Encrypted cannot be used on an index key (byEmail): ' +
          'DynamoDB must read index keys in clear',
      );
    });

    it('refuses @Encrypted with @Version, @CreatedAt, @UpdatedAt and @Ttl', () => {
      @Entity({ table: 'enc-version' })
      class EncryptedVersion {
        @PartitionKey() id!: string;
        @Encrypted() @Version() version?: number;
      }
      expectDefinitionError(
        EncryptedVersion,
        'version',
        'EncryptedVersion.version: @Encrypted cannot be used with @Version: DynamoDB must read it in clear',
      );

      @Entity({ table: 'enc-created' })
      class EncryptedCreated {
        @PartitionKey() id!: string;
        @Encrypted() @CreatedAt() createdAt?: Date;
      }
      expectDefinitionError(
        EncryptedCreated,
        'createdAt',
        'EncryptedCreated.createdAt: @Encrypted cannot be used with @CreatedAt: DynamoDB must read it in clear',
      );

      @Entity({ table: 'enc-updated' })
      class EncryptedUpdated {
        @PartitionKey() id!: string;
        @Encrypted() @UpdatedAt() updatedAt?: Date;
      }
      expectDefinitionError(
        EncryptedUpdated,
        'updatedAt',
        'EncryptedUpdated.updatedAt: @Encrypted cannot be used with @UpdatedAt: DynamoDB must read it in clear',
      );

      @Entity({ table: 'enc-ttl' })
      class EncryptedTtl {
        @PartitionKey() id!: string;
        @Encrypted() @Ttl() expiresAt?: Date;
      }
      expectDefinitionError(
        EncryptedTtl,
        'expiresAt',
        'EncryptedTtl.expiresAt: @Encrypted cannot be used with @Ttl: DynamoDB must read it in clear',
      );
    });

    it('refuses an empty key name', () => {
      @Entity({ table: 'enc-empty-key' })
      class EmptyKeyName {
        @PartitionKey() id!: string;
        @Encrypted({ key: '' }) secret!: string;
      }
      expectDefinitionError(
        EmptyKeyName,
        'secret',
        'EmptyKeyName.secret: @Encrypted({ key }) must be a non-empty key name',
      );
    });

    it('refuses an encrypted nested class', () => {
      class Card {
        number!: string;
      }
      @Entity({ table: 'enc-nested' })
      class EncryptedNested {
        @PartitionKey() id!: string;
        @Encrypted() card!: Card;
      }
      expectDefinitionError(
        EncryptedNested,
        'card',
        'EncryptedNested.card: an encrypted field holds a string, number, bigint, boolean, Date, ' +
          'Uint8Array, Set, plain object or array; nested classes cannot be encrypted',
      );
    });
  });

  describe('types that cannot be mapped', () => {
    it('refuses a Map property', () => {
      @Entity({ table: 'map-prop' })
      class WithMap {
        @PartitionKey() id!: string;
        @Attribute() lookup!: Map<string, string>;
      }
      expectDefinitionError(
        WithMap,
        'lookup',
        'WithMap.lookup: cannot be mapped: Map values cannot be stored in DynamoDB',
      );
    });

    it('refuses a Function property', () => {
      @Entity({ table: 'fn-prop' })
      class WithFunction {
        @PartitionKey() id!: string;
        // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
        @Attribute() callback!: Function;
      }
      expectDefinitionError(
        WithFunction,
        'callback',
        'WithFunction.callback: cannot be mapped: Function values cannot be stored in DynamoDB',
      );
    });

    it('refuses a union without an explicit type (design:type Object)', () => {
      @Entity({ table: 'union-prop' })
      class WithUnion {
        @PartitionKey() id!: string;
        @Attribute() value!: string | number;
      }
      expectDefinitionError(
        WithUnion,
        'value',
        'WithUnion.value: cannot be mapped: its design type is Object (a union, an interface or a ' +
          'type alias); declare it explicitly, e.g. { type: Object } for a plain JSON-like object ' +
          'or { type: String } for a string union',
      );
    });

    it('refuses a property for which TypeScript emitted no type', () => {
      @Entity({ table: 'untyped-prop' })
      class Untyped {
        @PartitionKey() id!: string;
        loose?: unknown;
      }
      // Applied by hand, as plain JavaScript would: no design:type metadata exists.
      Attribute()(Untyped.prototype, 'loose');
      expectDefinitionError(
        Untyped,
        'loose',
        'Untyped.loose: has no type: no design:type was emitted for it (other properties of the ' +
          'class have one, so it was probably decorated from plain JavaScript); declare it: ' +
          '@Attribute({ type: String }) (or Number, Boolean, BigInt, Date, Uint8Array, Object, ' +
          'Array, Set, or a class)',
      );
    });

    it('refuses a Set of booleans and an array of Maps', () => {
      @Entity({ table: 'bool-set' })
      class BoolSet {
        @PartitionKey() id!: string;
        @Attribute({ items: Boolean }) flags!: Set<boolean>;
      }
      expectDefinitionError(
        BoolSet,
        'flags',
        'BoolSet.flags: cannot be mapped: DynamoDB sets hold strings, numbers or binaries only; ' +
          'use { type: Array, items } for others',
      );

      @Entity({ table: 'map-list' })
      class MapList {
        @PartitionKey() id!: string;
        @Attribute({ items: Map }) maps!: Map<string, string>[];
      }
      expectDefinitionError(
        MapList,
        'maps',
        'MapList.maps: cannot be mapped: Map values cannot be stored in DynamoDB',
      );
    });

    it('refuses an array whose class-transformer @Type names a Map', () => {
      @Entity({ table: 'ct-map-list' })
      class TypedMapList {
        @PartitionKey() id!: string;
        @Attribute() @Type(() => Map) maps!: Map<string, string>[];
      }
      expectDefinitionError(
        TypedMapList,
        'maps',
        'TypedMapList.maps: cannot be mapped: Map values cannot be stored in DynamoDB',
      );
    });

    it('refuses a symbol-keyed property', () => {
      const secret = Symbol('secret');
      @Entity({ table: 'symbol-prop' })
      class WithSymbol {
        @PartitionKey() id!: string;
        @Attribute() [secret]!: string;
      }
      expectDefinitionError(
        WithSymbol,
        '[secret]',
        'WithSymbol.[secret]: symbol-keyed properties cannot be stored; use a string name',
      );
    });

    it('refuses lifecycle properties of the wrong type', () => {
      @Entity({ table: 'string-version' })
      class StringVersion {
        @PartitionKey() id!: string;
        @Version() version!: string;
      }
      expectDefinitionError(
        StringVersion,
        'version',
        'StringVersion.version: @Version must be one of: Number',
      );

      @Entity({ table: 'bool-created' })
      class BoolCreated {
        @PartitionKey() id!: string;
        @CreatedAt() createdAt!: boolean;
      }
      expectDefinitionError(
        BoolCreated,
        'createdAt',
        'BoolCreated.createdAt: @CreatedAt must be one of: Date, Number, String',
      );

      @Entity({ table: 'string-ttl' })
      class StringTtl {
        @PartitionKey() id!: string;
        @Ttl() expiresAt!: string;
      }
      expectDefinitionError(
        StringTtl,
        'expiresAt',
        'StringTtl.expiresAt: @Ttl must be one of: Date, Number',
      );
    });

    it('refuses a nested decorated class that declares a key, lifecycle or encrypted property', () => {
      class KeyedChild {
        @PartitionKey() id!: string;
      }
      @Entity({ table: 'keyed-child' })
      class HasKeyedChild {
        @PartitionKey() id!: string;
        @Attribute() child!: KeyedChild;
      }
      expectDefinitionError(
        HasKeyedChild,
        'id',
        'KeyedChild.id: a nested class maps plain @Attribute properties only ' +
          '(no keys, lifecycle, index, @Encrypted or @Signed)',
        'KeyedChild',
      );

      class SecretChild {
        @Encrypted() pin!: string;
      }
      @Entity({ table: 'secret-child' })
      class HasSecretChild {
        @PartitionKey() id!: string;
        @Attribute({ items: SecretChild }) children!: SecretChild[];
      }
      expectDefinitionError(
        HasSecretChild,
        'pin',
        'SecretChild.pin: a nested class maps plain @Attribute properties only ' +
          '(no keys, lifecycle, index, @Encrypted or @Signed)',
        'SecretChild',
      );

      class SignedChild {
        @Signed() label!: string;
      }
      @Entity({ table: 'signed-child' })
      class HasSignedChild {
        @PartitionKey() id!: string;
        @Attribute() child!: SignedChild;
      }
      expectDefinitionError(
        HasSignedChild,
        'label',
        'SignedChild.label: a nested class maps plain @Attribute properties only ' +
          '(no keys, lifecycle, index, @Encrypted or @Signed)',
        'SignedChild',
      );
    });
  });

  describe('names and roles', () => {
    it('refuses two properties on one attribute name', () => {
      @Entity({ table: 'same-name' })
      class SameName {
        @PartitionKey() id!: string;
        @Attribute({ name: 'n' }) first?: string;
        @Attribute({ name: 'n' }) second?: string;
      }
      expectDefinitionError(
        SameName,
        'second',
        'SameName.second: uses attribute name "n", already used by first; give one of them another { name }',
      );
    });

    it('refuses an attribute renamed onto the name of another property', () => {
      @Entity({ table: 'rename-clash' })
      class RenameClash {
        @PartitionKey() id!: string;
        @Attribute({ name: 'id' }) alias?: string;
      }
      expectDefinitionError(
        RenameClash,
        'alias',
        'RenameClash.alias: uses attribute name "id", already used by id; give one of them another { name }',
      );
    });

    it('refuses an empty or overlong attribute name', () => {
      @Entity({ table: 'empty-attr' })
      class EmptyAttribute {
        @PartitionKey() id!: string;
        @Attribute({ name: '' }) value?: string;
      }
      expectDefinitionError(
        EmptyAttribute,
        'value',
        'EmptyAttribute.value: the attribute name must be 1 to 255 bytes of UTF-8',
      );
      @Entity({ table: 'long-attr' })
      class LongAttribute {
        @PartitionKey() id!: string;
        @Attribute({ name: 'a'.repeat(256) }) value?: string;
      }
      expectDefinitionError(
        LongAttribute,
        'value',
        'LongAttribute.value: the attribute name must be 1 to 255 bytes of UTF-8',
      );
      // 200 characters, 400 bytes: DynamoDB counts bytes, and so does theorydb.
      @Entity({ table: 'wide-attribute' })
      class WideAttribute {
        @PartitionKey({ name: 'é'.repeat(200) }) id!: string;
      }
      expectDefinitionError(
        WideAttribute,
        'id',
        'WideAttribute.id: the attribute name must be 1 to 255 bytes of UTF-8',
      );
    });

    it('refuses two roles on one property, in the order the decorators ran', () => {
      @Entity({ table: 'two-roles' })
      class TwoRoles {
        @PartitionKey() id!: string;
        @Attribute() @Version() version?: number;
      }
      // Decorators run bottom-up: @Version is recorded before @Attribute.
      expectDefinitionError(
        TwoRoles,
        'version',
        'TwoRoles.version: has @Version and @Attribute; a property has exactly one role',
      );

      @Entity({ table: 'key-and-sort' })
      class KeyAndSort {
        @SortKey() @PartitionKey() id!: string;
      }
      expectDefinitionError(
        KeyAndSort,
        'id',
        'KeyAndSort.id: has @PartitionKey and @SortKey; a property has exactly one role',
      );
    });

    it('refuses a second @Version, @CreatedAt, @UpdatedAt or @Ttl', () => {
      @Entity({ table: 'two-versions' })
      class TwoVersions {
        @PartitionKey() id!: string;
        @Version() v1?: number;
        @Version() v2?: number;
      }
      expectDefinitionError(
        TwoVersions,
        'v2',
        'TwoVersions.v2: a second @Version (the first is v1); an entity has at most one',
      );

      @Entity({ table: 'two-created' })
      class TwoCreated {
        @PartitionKey() id!: string;
        @CreatedAt() a?: Date;
        @CreatedAt() b?: Date;
      }
      expectDefinitionError(
        TwoCreated,
        'b',
        'TwoCreated.b: a second @CreatedAt (the first is a); an entity has at most one',
      );

      @Entity({ table: 'two-updated' })
      class TwoUpdated {
        @PartitionKey() id!: string;
        @UpdatedAt() a?: Date;
        @UpdatedAt() b?: Date;
      }
      expectDefinitionError(
        TwoUpdated,
        'b',
        'TwoUpdated.b: a second @UpdatedAt (the first is a); an entity has at most one',
      );

      @Entity({ table: 'two-ttls' })
      class TwoTtls {
        @PartitionKey() id!: string;
        @Ttl() a?: Date;
        @Ttl() b?: Date;
      }
      expectDefinitionError(
        TwoTtls,
        'b',
        'TwoTtls.b: a second @Ttl (the first is a); an entity has at most one',
      );
    });
  });

  describe('indexes', () => {
    it('refuses a global index without a partition key', () => {
      @Entity({ table: 'gsi-no-partition' })
      class GsiNoPartition {
        @PartitionKey() id!: string;
        @Index('byDay', { sort: true, kind: 'global' }) day!: string;
      }
      expectDefinitionError(
        GsiNoPartition,
        'day',
        "GsiNoPartition.day: global index 'byDay' has no partition key: add @Index('byDay', { partition: true })",
      );
    });

    it('refuses an index declaration with both or neither of partition and sort', () => {
      @Entity({ table: 'index-both' })
      class IndexBoth {
        @PartitionKey() id!: string;
        @Index('byEmail', { partition: true, sort: true }) email!: string;
      }
      expectDefinitionError(
        IndexBoth,
        'email',
        "IndexBoth.email: @Index('byEmail') needs exactly one of { partition: true } or { sort: true }",
      );

      @Entity({ table: 'index-neither' })
      class IndexNeither {
        @PartitionKey() id!: string;
        @Index('byEmail', {}) email!: string;
      }
      expectDefinitionError(
        IndexNeither,
        'email',
        "IndexNeither.email: @Index('byEmail') needs exactly one of { partition: true } or { sort: true }",
      );
    });

    it('refuses a local index on a table without a sort key', () => {
      @Entity({ table: 'lsi-no-sort' })
      class LsiNoSort {
        @PartitionKey() id!: string;
        @Index('byStatus', { sort: true }) status!: string;
      }
      expectDefinitionError(
        LsiNoSort,
        'status',
        "LsiNoSort.status: local index 'byStatus' needs a table with a sort key: add @SortKey(), " +
          'or make the index global',
      );
    });

    it('refuses a local index without a sort key, or with its own partition key', () => {
      @Entity({ table: 'lsi-no-index-sort' })
      class LsiWithoutSort {
        @PartitionKey() id!: string;
        @SortKey() sk!: string;
        @Index('byOther', { partition: true, kind: 'local' }) other!: string;
      }
      expectDefinitionError(
        LsiWithoutSort,
        'other',
        "LsiWithoutSort.other: local index 'byOther' needs a sort key",
      );

      @Entity({ table: 'lsi-own-partition' })
      class LsiOwnPartition {
        @PartitionKey() id!: string;
        @SortKey() sk!: string;
        @Index('byOther', { partition: true, kind: 'local' }) other!: string;
        @Index('byOther', { sort: true }) when!: string;
      }
      expectDefinitionError(
        LsiOwnPartition,
        'other',
        "LsiOwnPartition.other: local index 'byOther' shares the table's partition key; declare only its sort key",
      );
    });

    it('refuses an index declared both global and local, or with two keys in one slot', () => {
      @Entity({ table: 'index-kinds' })
      class IndexKinds {
        @PartitionKey() id!: string;
        @SortKey() sk!: string;
        @Index('mixed', { partition: true, kind: 'global' }) a!: string;
        @Index('mixed', { sort: true, kind: 'local' }) b!: string;
      }
      expectDefinitionError(
        IndexKinds,
        'b',
        "IndexKinds.b: index 'mixed' is declared both global and local",
      );

      @Entity({ table: 'index-two-partitions' })
      class IndexTwoPartitions {
        @PartitionKey() id!: string;
        @Index('byX', { partition: true }) a!: string;
        @Index('byX', { partition: true }) b!: string;
      }
      expectDefinitionError(
        IndexTwoPartitions,
        'b',
        "IndexTwoPartitions.b: index 'byX' already has a partition key (a)",
      );
    });

    it('refuses an index name shorter than 3 characters', () => {
      @Entity({ table: 'index-short-name' })
      class IndexShortName {
        @PartitionKey() id!: string;
        @Index('ix', { partition: true }) email!: string;
      }
      expectDefinitionError(
        IndexShortName,
        'email',
        'IndexShortName.email: @Index needs a name of 3 to 255 characters',
      );
    });

    it('refuses an index key of a non-scalar type', () => {
      @Entity({ table: 'index-bool' })
      class IndexBool {
        @PartitionKey() id!: string;
        @Index('byActive', { partition: true }) active!: boolean;
      }
      expectDefinitionError(
        IndexBool,
        'active',
        `IndexBool.active: @Index('byActive') ${KEY_TYPES} boolean`,
      );

      @Entity({ table: 'index-set-sort' })
      class IndexSetSort {
        @PartitionKey() id!: string;
        @Index('byTag', { partition: true }) owner!: string;
        @Index('byTag', { sort: true, kind: 'global' })
        @Attribute({ items: String })
        tags!: Set<string>;
      }
      expectDefinitionError(
        IndexSetSort,
        'tags',
        `IndexSetSort.tags: @Index('byTag') ${KEY_TYPES} Set`,
      );
    });
  });
});
