import { Encrypted, Entity, PartitionKey, SortKey, Version } from '../../../../src';
import { uniqueTable } from '../../../support/stack';

// Each spec file declares the entities it uses through these, at module level: every call makes a
// class bound to a table of its own (returned with it), so a file's closing leak check scans the
// envelopes that file stored, and a file never reads what another one left behind.

/** Two encrypted fields under the default key, sealed with one data key per save. */
export function vaultEntity() {
  const table = uniqueTable('enc-retired-vault');
  @Entity({ table, name: 'Vault' })
  class Vault {
    @PartitionKey() owner!: string;
    @SortKey() id!: string;
    @Encrypted() token?: string;
    @Encrypted() recovery?: string;
    @Version() version?: number;
  }
  return { Vault, table };
}

/** One field per binding: the default key and the named key `payments`. */
export function paymentEntity() {
  const table = uniqueTable('enc-retired-payment');
  @Entity({ table, name: 'Payment' })
  class Payment {
    @PartitionKey() id!: string;
    @Encrypted() email?: string;
    @Encrypted({ key: 'payments' }) card?: string;
  }
  return { Payment, table };
}

/** No @Version, so it can be batch-written: one data key for a whole batch. */
export function noteEntity() {
  const table = uniqueTable('enc-retired-note');
  @Entity({ table, name: 'Note' })
  class Note {
    @PartitionKey() owner!: string;
    @SortKey() id!: string;
    @Encrypted() text?: string;
  }
  return { Note, table };
}
