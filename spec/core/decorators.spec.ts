import { expect } from 'chai';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Type } from 'class-transformer';
import {
  Attribute,
  type AttributeMetadata,
  CreatedAt,
  Encrypted,
  Entity,
  type EntityMetadata,
  Index,
  PartitionKey,
  SortKey,
  TheoryDb,
  Ttl,
  UpdatedAt,
  Version,
  entityMetadata,
} from '../../src';

const offlineClient = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
});

/** property -> [attribute, role] for a whole entity, in declaration order. */
function summary(metadata: EntityMetadata): [string, string, string][] {
  return metadata.attributes.map((a) => [a.property, a.attribute, a.role]);
}

function attributeOf(metadata: EntityMetadata, property: string): AttributeMetadata {
  const found = metadata.byProperty.get(property);
  expect(found, `metadata of ${property}`).to.not.equal(undefined);
  return found!;
}

@Entity({ table: 'decorated-users', name: 'User' })
class DecoratedUser {
  @PartitionKey({ name: 'PK' }) id!: string;
  @SortKey({ name: 'SK' }) createdOn!: string;
  @Index('byEmail', { partition: true }) @Attribute({ name: 'mail' }) email!: string;
  @Index('byEmail', { sort: true }) @Attribute() signupDay!: Date;
  @Index('byStatus', { sort: true }) @Attribute({ name: 'st', type: String }) status!: string;
  @Index('byTenant', { partition: true }) tenant!: string;
  @Attribute() age?: number;
  @Encrypted() apiToken?: string;
  @Encrypted({ key: 'payments' }) @Attribute({ name: 'cn' }) cardNumber?: string;
  @Version() version?: number;
  @CreatedAt() createdAt?: Date;
  @UpdatedAt({ name: 'upd' }) updatedAt?: Date;
  @Ttl({ name: 'exp' }) expiresAt?: Date;
  transient = 'not stored';
}

describe('decorators and discovered metadata', () => {
  describe('a fully decorated entity', () => {
    const metadata = entityMetadata(DecoratedUser);

    it('records the table, the entity name and the class name', () => {
      expect(metadata.target).to.equal(DecoratedUser);
      expect(metadata.table).to.equal('decorated-users');
      expect(metadata.entityName).to.equal('User');
      expect(metadata.className).to.equal('DecoratedUser');
    });

    it('maps every decorated property, with its attribute name and role, and nothing else', () => {
      expect(summary(metadata)).to.deep.equal([
        ['id', 'PK', 'partitionKey'],
        ['createdOn', 'SK', 'sortKey'],
        ['email', 'mail', 'attribute'],
        ['signupDay', 'signupDay', 'attribute'],
        ['status', 'st', 'attribute'],
        ['tenant', 'tenant', 'attribute'],
        ['age', 'age', 'attribute'],
        ['apiToken', 'apiToken', 'attribute'],
        ['cardNumber', 'cn', 'attribute'],
        ['version', 'version', 'version'],
        ['createdAt', 'createdAt', 'createdAt'],
        ['updatedAt', 'upd', 'updatedAt'],
        ['expiresAt', 'exp', 'ttl'],
      ]);
      expect(metadata.byProperty.has('transient')).to.equal(false);
      expect(metadata.byAttribute.get('mail')?.property).to.equal('email');
      expect(metadata.byAttribute.get('email')).to.equal(undefined);
      expect([...metadata.byProperty.keys()]).to.deep.equal(
        metadata.attributes.map((a) => a.property),
      );
    });

    it('precomputes the key attributes, partition key first, with their DynamoDB types', () => {
      expect(metadata.partitionKey.property).to.equal('id');
      expect(metadata.partitionKey.attribute).to.equal('PK');
      expect(metadata.partitionKey.keyType).to.equal('S');
      expect(metadata.sortKey?.property).to.equal('createdOn');
      expect(metadata.sortKey?.attribute).to.equal('SK');
      expect(metadata.keyAttributes.map((k) => [k.property, k.attribute, k.keyType])).to.deep.equal(
        [
          ['id', 'PK', 'S'],
          ['createdOn', 'SK', 'S'],
        ],
      );
    });

    it('separates encrypted from plain attributes and records the bound key name', () => {
      expect(metadata.encryptedAttributes.map((a) => [a.property, a.attribute])).to.deep.equal([
        ['apiToken', 'apiToken'],
        ['cardNumber', 'cn'],
      ]);
      expect(attributeOf(metadata, 'apiToken').encryption).to.deep.equal({ keyName: undefined });
      expect(attributeOf(metadata, 'cardNumber').encryption).to.deep.equal({ keyName: 'payments' });
      expect(attributeOf(metadata, 'email').encryption).to.equal(undefined);
      expect(metadata.plainAttributes.map((a) => a.property)).to.deep.equal([
        'id',
        'createdOn',
        'email',
        'signupDay',
        'status',
        'tenant',
        'age',
        'version',
        'createdAt',
        'updatedAt',
        'expiresAt',
      ]);
    });

    it('records the lifecycle properties', () => {
      expect(metadata.version?.property).to.equal('version');
      expect(metadata.version?.codec.kind).to.equal('number');
      expect(metadata.createdAt?.property).to.equal('createdAt');
      expect(metadata.createdAt?.codec.kind).to.equal('Date');
      expect(metadata.updatedAt?.attribute).to.equal('upd');
      expect(metadata.ttl?.attribute).to.equal('exp');
      // @Ttl always stores epoch seconds, whatever the default date format is.
      expect(metadata.ttl?.codec.write(new Date('2030-01-01T00:00:00.999Z'))).to.deep.equal({
        N: String(Date.UTC(2030, 0, 1) / 1000),
      });
      expect(metadata.ttl?.codec.keyType).to.equal('N');
    });

    it('records global and local indexes with their kinds and keys', () => {
      const indexes = metadata.indexes.map((i) => ({
        name: i.name,
        kind: i.kind,
        partition: i.partitionKey.attribute,
        partitionType: i.partitionKey.keyType,
        sort: i.sortKey?.attribute,
        sortType: i.sortKey?.keyType,
      }));
      expect(indexes).to.deep.equal([
        {
          name: 'byEmail',
          kind: 'global',
          partition: 'mail',
          partitionType: 'S',
          sort: 'signupDay',
          sortType: 'S',
        },
        {
          name: 'byStatus',
          kind: 'local',
          partition: 'PK',
          partitionType: 'S',
          sort: 'st',
          sortType: 'S',
        },
        {
          name: 'byTenant',
          kind: 'global',
          partition: 'tenant',
          partitionType: 'S',
          sort: undefined,
          sortType: undefined,
        },
      ]);
      // A local index shares the table's partition key.
      expect(metadata.indexes[1].partitionKey).to.equal(metadata.partitionKey);
    });

    it('is frozen, resolved once and shared by the repository', () => {
      expect(Object.isFrozen(metadata)).to.equal(true);
      expect(entityMetadata(DecoratedUser)).to.equal(metadata);
      const db = new TheoryDb({ dynamodb: offlineClient });
      const repository = db.repository(DecoratedUser);
      expect(repository.metadata).to.equal(metadata);
      expect(db.repository(DecoratedUser)).to.equal(repository);
    });
  });

  describe('@Entity', () => {
    it('defaults the entity name to the class name', () => {
      @Entity({ table: 'default-names' })
      class DefaultName {
        @PartitionKey() id!: string;
      }
      const metadata = entityMetadata(DefaultName);
      expect(metadata.entityName).to.equal('DefaultName');
      expect(metadata.className).to.equal('DefaultName');
      expect(metadata.sortKey).to.equal(undefined);
      expect(metadata.keyAttributes.map((k) => k.attribute)).to.deep.equal(['id']);
      expect(metadata.indexes).to.deep.equal([]);
      expect(metadata.version).to.equal(undefined);
      expect(metadata.createdAt).to.equal(undefined);
      expect(metadata.updatedAt).to.equal(undefined);
      expect(metadata.ttl).to.equal(undefined);
      expect(metadata.encryptedAttributes).to.deep.equal([]);
    });
  });

  describe('key types', () => {
    it('maps string, number, bigint, binary and Date keys to S, N and B', () => {
      @Entity({ table: 'key-types' })
      class KeyTypes {
        @PartitionKey() id!: number;
        @SortKey() big!: bigint;
        @Index('byBytes', { partition: true }) bytes!: Uint8Array;
        @Index('byBytes', { sort: true }) day!: Date;
        @Index('byBuffer', { partition: true }) @Attribute({ type: Buffer }) buffer!: Buffer;
        @Index('byBuffer', { sort: true }) @Attribute({ dateFormat: 'epochMs' }) at!: Date;
        @Index('byName', { partition: true }) name!: string;
        @Index('byName', { sort: true }) @Attribute({ dateFormat: 'epochSeconds' }) second!: Date;
      }
      const metadata = entityMetadata(KeyTypes);
      const types = metadata.attributes.map((a) => [a.property, a.codec.kind, a.codec.keyType]);
      expect(types).to.deep.equal([
        ['id', 'number', 'N'],
        ['big', 'bigint', 'N'],
        ['bytes', 'Uint8Array', 'B'],
        ['day', 'Date', 'S'],
        ['buffer', 'Buffer', 'B'],
        ['at', 'Date', 'N'],
        ['name', 'string', 'S'],
        ['second', 'Date', 'N'],
      ]);
      expect(metadata.indexes.map((i) => [i.name, i.kind])).to.deep.equal([
        ['byBytes', 'global'],
        ['byBuffer', 'global'],
        ['byName', 'global'],
      ]);
    });

    it('maps the non-key types to codecs without a key type', () => {
      class Address {
        @Attribute() city!: string;
      }
      class Loose {
        label!: string;
      }
      @Entity({ table: 'value-types' })
      class ValueTypes {
        @PartitionKey() id!: string;
        @Attribute() flag!: boolean;
        @Attribute({ items: String }) tags!: Set<string>;
        @Attribute({ items: String }) names!: string[];
        @Attribute() anything!: unknown[];
        @Attribute({ type: Object }) meta!: Record<string, unknown>;
        @Attribute() address!: Address;
        @Attribute() loose!: Loose;
        @Attribute() @Type(() => Loose) looseList!: Loose[];
      }
      const metadata = entityMetadata(ValueTypes);
      expect(
        metadata.attributes.slice(1).map((a) => [a.property, a.codec.kind, a.codec.keyType]),
      ).to.deep.equal([
        ['flag', 'boolean', undefined],
        ['tags', 'Set', undefined],
        ['names', 'Array', undefined],
        ['anything', 'Array', undefined],
        ['meta', 'Object', undefined],
        ['address', 'Address', undefined],
        ['loose', 'Loose', undefined],
        ['looseList', 'Array', undefined],
      ]);
    });
  });

  describe('lifecycle decorators', () => {
    it('accept number and string timestamps and number TTLs', () => {
      @Entity({ table: 'lifecycle-types' })
      class LifecycleTypes {
        @PartitionKey() id!: string;
        @CreatedAt() createdAt?: number;
        @UpdatedAt({ type: String }) updatedAt?: string;
        @Ttl() expiresAt?: number;
        @Version({ name: 'v' }) version?: number;
      }
      const metadata = entityMetadata(LifecycleTypes);
      expect(metadata.createdAt?.codec.kind).to.equal('number');
      expect(metadata.updatedAt?.codec.kind).to.equal('string');
      expect(metadata.ttl?.codec.kind).to.equal('number');
      expect(metadata.version?.attribute).to.equal('v');
    });

    it('default a Date | undefined lifecycle property (design:type Object) to Date', () => {
      @Entity({ table: 'lifecycle-unions' })
      class LifecycleUnions {
        @PartitionKey() id!: string;
        @CreatedAt() createdAt?: Date | null;
        @Ttl() expiresAt?: Date | number;
        @Version() version?: number | null;
      }
      const metadata = entityMetadata(LifecycleUnions);
      expect(metadata.createdAt?.codec.kind).to.equal('Date');
      expect(metadata.ttl?.codec.kind).to.equal('Date');
      expect(metadata.version?.codec.kind).to.equal('number');
    });
  });

  describe('@Index and @Encrypted imply @Attribute', () => {
    it('maps a property that carries only @Index or @Encrypted', () => {
      @Entity({ table: 'implied-attributes', name: 'Implied' })
      class Implied {
        @PartitionKey() id!: string;
        @Index('byEmail', { partition: true }) email!: string;
        @Encrypted() secret!: string;
      }
      const metadata = entityMetadata(Implied);
      expect(summary(metadata)).to.deep.equal([
        ['id', 'id', 'partitionKey'],
        ['email', 'email', 'attribute'],
        ['secret', 'secret', 'attribute'],
      ]);
      expect(metadata.indexes[0].partitionKey.property).to.equal('email');
      expect(metadata.encryptedAttributes.map((a) => a.property)).to.deep.equal(['secret']);
    });

    it('allows a global index keyed by the table sort key, and an explicit global kind', () => {
      @Entity({ table: 'sort-key-gsi' })
      class SortKeyGsi {
        @PartitionKey() id!: string;
        @Index('bySk', { partition: true }) @SortKey() sk!: string;
        @Index('explicit', { sort: true, kind: 'global' }) day!: string;
        @Index('explicit', { partition: true, kind: 'global' }) region!: string;
        @Index('localOne', { sort: true, kind: 'local' }) rank!: number;
      }
      const metadata = entityMetadata(SortKeyGsi);
      expect(
        metadata.indexes.map((i) => [
          i.name,
          i.kind,
          i.partitionKey.attribute,
          i.sortKey?.attribute,
        ]),
      ).to.deep.equal([
        ['bySk', 'global', 'sk', undefined],
        ['explicit', 'global', 'region', 'day'],
        ['localOne', 'local', 'id', 'rank'],
      ]);
      expect(metadata.sortKey?.property).to.equal('sk');
      expect(metadata.indexes[2].sortKey?.keyType).to.equal('N');
    });
  });

  describe('inheritance', () => {
    abstract class Audited {
      @PartitionKey() id!: string;
      @Attribute({ name: 'by' }) changedBy?: string;
      @Version() version?: number;
      @UpdatedAt() updatedAt?: Date;
    }

    @Entity({ table: 'inherited-documents' })
    class Document extends Audited {
      @Attribute() title!: string;
    }

    @Entity({ table: 'inherited-invoices', name: 'Invoice' })
    class Invoice extends Audited {
      @Attribute({ name: 'who' }) override changedBy?: string;
      @Attribute() amount!: number;
    }

    it('lets a subclass entity see the properties its base class declared, base first', () => {
      const metadata = entityMetadata(Document);
      expect(summary(metadata)).to.deep.equal([
        ['id', 'id', 'partitionKey'],
        ['changedBy', 'by', 'attribute'],
        ['version', 'version', 'version'],
        ['updatedAt', 'updatedAt', 'updatedAt'],
        ['title', 'title', 'attribute'],
      ]);
      expect(metadata.partitionKey.property).to.equal('id');
      expect(metadata.version?.property).to.equal('version');
      expect(metadata.entityName).to.equal('Document');
      expect(metadata.target).to.equal(Document);
    });

    it('lets a subclass redeclare an inherited property, and keeps sibling entities apart', () => {
      const invoice = entityMetadata(Invoice);
      expect(invoice.table).to.equal('inherited-invoices');
      expect(invoice.entityName).to.equal('Invoice');
      expect(invoice.byProperty.get('changedBy')?.attribute).to.equal('who');
      expect(invoice.byAttribute.has('by')).to.equal(false);
      expect(invoice.attributes.map((a) => a.property)).to.deep.equal([
        'id',
        'changedBy',
        'version',
        'updatedAt',
        'amount',
      ]);
      // The sibling is unaffected by the redeclaration.
      expect(entityMetadata(Document).byProperty.get('changedBy')?.attribute).to.equal('by');
      expect(entityMetadata(Document).byProperty.has('amount')).to.equal(false);
    });
  });
});
