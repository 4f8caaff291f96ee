import type { EntityMetadata } from '../metadata/entity-metadata';
import { NotFoundError } from '../errors';
import { deleteEntity, type DeleteOptions } from './delete-operation';
import type { EntityKey } from './entity-key';
import { findEntity, type FindOptions } from './find-operation';
import type { RepositoryContext } from './repository-context';
import { saveEntity, type SaveOptions } from './save-operation';

/**
 * Saves, loads and deletes instances of one entity class. Get one from `db.repository(Cls)`; it is
 * a thin typed facade over the operations, each of which encrypts on write and decrypts on read.
 *
 * @example
 * ```ts
 * const users = db.repository(User);
 * const user = Object.assign(new User(), { id: 'u1', email: 'a@example.com' });
 * await users.save(user);
 * const again = await users.find({ id: 'u1' }); // User | undefined
 * await users.delete({ id: 'u1' });
 * ```
 */
export class Repository<T extends object> {
  /** @internal Use `db.repository(Cls)`. */
  constructor(private readonly context: RepositoryContext<T>) {}

  /** The resolved metadata of the entity. */
  get metadata(): EntityMetadata<T> {
    return this.context.metadata;
  }

  /**
   * Writes the entity (PutItem), maintaining `@Version`, `@CreatedAt` and `@UpdatedAt`; the
   * instance gets its new version and timestamps once the write succeeded, and is returned.
   * Fails with `VERSION_CONFLICT` when a versioned entity is stale, and with `CONDITION_FAILED`
   * when `ifNotExists` finds an item.
   *
   * @example
   * ```ts
   * await users.save(user, { ifNotExists: true });
   * ```
   */
  save(entity: T, options?: SaveOptions<T>): Promise<T> {
    return saveEntity(this.context, entity, options);
  }

  /**
   * Loads the entity with this key, or `undefined` when there is none.
   *
   * @example
   * ```ts
   * const user = await users.find({ id: 'u1' }, { consistent: true });
   * ```
   */
  find(key: EntityKey<T>, options?: FindOptions): Promise<T | undefined> {
    return findEntity(this.context, key, options);
  }

  /**
   * Loads the entity with this key, failing with `NotFoundError` (`NOT_FOUND`) when there is none.
   *
   * @example
   * ```ts
   * const user = await users.get({ id: 'u1' });
   * ```
   */
  async get(key: EntityKey<T>, options?: FindOptions): Promise<T> {
    const found = await findEntity(this.context, key, options);
    if (found === undefined) {
      const { className, entityName } = this.context.metadata;
      throw new NotFoundError(`${className}: no item with this key`, entityName);
    }
    return found;
  }

  /**
   * Deletes the entity with this key. With `ifExists`, fails with `CONDITION_FAILED` when there
   * is no such item.
   *
   * @example
   * ```ts
   * await users.delete({ id: 'u1' }, { ifExists: true });
   * ```
   */
  delete(key: EntityKey<T>, options?: DeleteOptions<T>): Promise<void> {
    return deleteEntity(this.context, key, options);
  }
}
