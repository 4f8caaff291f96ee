import { expect } from 'chai';
import { Attribute, Entity, Index, PartitionKey, SortKey, Ttl, entityMetadata } from '../../src';
import { tableDefinition } from '../../src/repository/table-definition';

describe('tableDefinition (the CreateTable request built from metadata)', () => {
  it('defines every key and index key attribute once, with its S, N or B type', () => {
    @Entity({ table: 'definition-orders' })
    class Order {
      @PartitionKey({ name: 'PK' }) customer!: string;
      @SortKey({ name: 'SK' }) placedAt!: number;
      @Index('byStatus', { partition: true })
      @Attribute({ name: 'st', type: String })
      status!: string;
      @Index('byStatus', { sort: true }) @Attribute({ dateFormat: 'epochMs' }) due!: Date;
      @Index('byHash', { partition: true }) hash!: Uint8Array;
      @Index('byCustomerDay', { partition: true }) @Index('byTotal', { sort: true }) total!: bigint;
      @Index('byCustomerDay', { sort: true }) day!: Date;
      @Attribute() note?: string;
      @Ttl() expiresAt?: Date;
    }
    expect(tableDefinition(entityMetadata(Order))).to.deep.equal({
      TableName: 'definition-orders',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'N' },
        { AttributeName: 'st', AttributeType: 'S' },
        { AttributeName: 'due', AttributeType: 'N' },
        { AttributeName: 'hash', AttributeType: 'B' },
        { AttributeName: 'total', AttributeType: 'N' },
        { AttributeName: 'day', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'st', KeyType: 'HASH' },
            { AttributeName: 'due', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byHash',
          KeySchema: [{ AttributeName: 'hash', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byCustomerDay',
          KeySchema: [
            { AttributeName: 'total', KeyType: 'HASH' },
            { AttributeName: 'day', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byTotal',
          KeySchema: [
            { AttributeName: 'PK', KeyType: 'HASH' },
            { AttributeName: 'total', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('leaves out the index lists of a table without indexes', () => {
    @Entity({ table: 'definition-plain' })
    class Plain {
      @PartitionKey() id!: Uint8Array;
    }
    expect(tableDefinition(entityMetadata(Plain))).to.deep.equal({
      TableName: 'definition-plain',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'B' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });
});
