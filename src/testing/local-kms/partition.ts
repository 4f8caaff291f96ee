import { ValidationError } from '../../errors';
import type { KeyStore } from './key-store';

/**
 * The regions of one AWS partition and account, as LocalKms instances of one process stand for
 * them: one key store per region. ReplicateKey, which KMS answers in the primary key's region,
 * reaches the replica region's store through it; nothing else crosses regions.
 */
export class Partition {
  private readonly stores = new Map<string, KeyStore>();

  /** Add the store of a region; a second instance for the same region is a test mistake. */
  join(store: KeyStore): void {
    if (this.stores.has(store.region)) {
      throw new ValidationError(
        `LocalKms: this partition already has a running instance for region ${store.region}`,
      );
    }
    this.stores.set(store.region, store);
  }

  /** Remove a stopped instance's store, so its region can be started again. */
  leave(store: KeyStore): void {
    if (this.stores.get(store.region) === store) this.stores.delete(store.region);
  }

  /** The store of a running instance for `region`, if there is one. */
  store(region: string): KeyStore | undefined {
    return this.stores.get(region);
  }
}
