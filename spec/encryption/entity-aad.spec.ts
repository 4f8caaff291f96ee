import { expect } from 'chai';
import { encodeItemAad } from '../../src/crypto/associated-data';
import { Encrypted, Entity, EncryptionError, PartitionKey, SortKey } from '../../src';
import { entityMetadata } from '../../src/metadata/discovery';
import type { Item } from '../../src/mapping/entity-mapper';
import { EntityAad } from '../../src/repository/entity-aad';

@Entity({ table: 'aad-table', name: 'Ledger' })
class Ledger {
  @PartitionKey() account!: string;
  @SortKey() seq!: number;
  @Encrypted() note!: string;
}

@Entity({ table: 'aad-table', name: 'Blob' })
class Blob {
  @PartitionKey({ name: 'constructor' }) id!: Buffer;
  @Encrypted() body!: string;
}

describe('EntityAad', () => {
  const ledger = new EntityAad(entityMetadata(Ledger));

  it('encodes the item part from the stored key values, as encodeItemAad does', () => {
    const part = ledger.itemPart({
      account: { S: 'A#1' },
      seq: { N: '7' },
      note: { B: new Uint8Array(1) },
    });
    const expected = encodeItemAad({
      table: 'aad-table',
      entity: 'Ledger',
      partitionKey: { name: 'account', value: { S: 'A#1' } },
      sortKey: { name: 'seq', value: { N: '7' } },
    });
    expect(part.toString('hex')).to.equal(expected.toString('hex'));
  });

  it('binds binary keys by content and copies them', () => {
    const blob = new EntityAad(entityMetadata(Blob));
    const id = Uint8Array.from([1, 2]);
    const item = { constructor: { B: id } };
    const part = blob.itemPart(item);
    const copy = Buffer.from(part);
    id[0] = 9;
    expect(part.equals(copy)).to.equal(true);
    expect(blob.itemPart(item).equals(copy)).to.equal(false);
  });

  it('refuses an item without a usable key (INTEGRITY), never reading inherited properties', () => {
    const blob = new EntityAad(entityMetadata(Blob));
    const items: Item[] = [
      {},
      { account: { S: 'A' } },
      { account: { S: 'A' }, seq: { BOOL: true } },
    ];
    for (const item of items) {
      expect(() => ledger.itemPart(item))
        .to.throw(EncryptionError)
        .with.property('code', 'INTEGRITY');
    }
    // `constructor` is on every object's prototype: only an own attribute counts.
    expect(() => blob.itemPart({}))
      .to.throw(EncryptionError, /no usable key attribute "constructor"/)
      .with.property('code', 'INTEGRITY');
  });
});
