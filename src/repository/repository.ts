import { inspect, type InspectOptionsStylized } from 'node:util';
import type { EntityMetadata } from '../metadata/entity-metadata';
import { batchDeleteKeys } from '../batch/batch-delete';
import { batchFindEntities, type BatchFindOptions } from '../batch/batch-find';
import { batchSaveEntities } from '../batch/batch-save';
import { NotFoundError } from '../errors';
import { deleteEntity, type DeleteOptions } from './delete-operation';
import type { EntityKey } from './entity-key';
import { findEntity, type FindOptions } from './find-operation';
import type { RepositoryContext } from './repository-context';
import type { RequestOptions } from './request-options';
import { registeredContext } from './context-registry';
import { printedSummary } from './printed-summary';
import { saveEntity, type SaveOptions } from './save-operation';
import { newQuery, type QueryBuilder, type QueryPartition } from '../query/query-builder';
import { newScan, type ScanBuilder } from '../query/scan-builder';
import { entityFromStreamImage } from '../streams/stream-entity';
import type { StreamImage } from '../streams/stream-image';
import { updateEntity } from '../update/update-operation';
import type { UpdateChanges, UpdateOptions } from '../update/update-spec';

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
  // A native private field, so the context (with its cursor key) is unreachable at run time.
  readonly #context: RepositoryContext<T>;

  /**
   * @internal Use `db.repository(Cls)`. Refuses, with `VALIDATION`, any context theorydb did not
   * build: there is no way to hand a repository a context of your own.
   */
  constructor(context: RepositoryContext<T>) {
    this.#context = registeredContext<T>(context);
  }

  /** The resolved metadata of the entity. */
  get metadata(): EntityMetadata<T> {
    return this.#context.metadata;
  }

  /**
   * Writes the entity (PutItem), maintaining `@Version`, `@CreatedAt` and `@UpdatedAt`; the
   * instance gets its new version and timestamps once the write succeeded, and is returned.
   * Fails with `VERSION_CONFLICT` when a versioned entity is stale, and with `CONDITION_FAILED`
   * when `ifNotExists` finds an item; with `returnOnConditionFailure`, the error's
   * `storedItem()` gives the item that was there. Every call that sends requests takes an
   * `abortSignal` (`ABORTED`).
   *
   * @example
   * ```ts
   * await users.save(user, { ifNotExists: true });
   * await users.save(user, { abortSignal: AbortSignal.timeout(2_000) });
   * ```
   */
  save(entity: T, options?: SaveOptions<T> & RequestOptions): Promise<T> {
    return saveEntity(this.#context, entity, options);
  }

  /**
   * Loads the entity with this key, or `undefined` when there is none. A response holding an item
   * of another key is refused with `ResponseMismatchError` (`RESPONSE_MISMATCH`), undecrypted.
   *
   * @example
   * ```ts
   * const user = await users.find({ id: 'u1' }, { consistent: true });
   * ```
   */
  find(key: EntityKey<T>, options?: FindOptions): Promise<T | undefined> {
    return findEntity(this.#context, key, options);
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
    const found = await findEntity(this.#context, key, options);
    if (found === undefined) {
      const { className, entityName } = this.#context.metadata;
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
  delete(key: EntityKey<T>, options?: DeleteOptions<T> & RequestOptions): Promise<void> {
    return deleteEntity(this.#context, key, options);
  }

  /**
   * A query of one partition: pass the partition key of the table, or of the index chosen with
   * `.index(name)`. Returns an immutable builder; nothing is sent until `page()`, `all()`,
   * `count()` or `for await`. Each page is decrypted as one operation.
   *
   * @example
   * ```ts
   * const open = await orders
   *   .query({ customerId: 'c1' })
   *   .sortKey((k) => k.beginsWith('2026-'))
   *   .filter((c) => c.eq('status', 'open'))
   *   .all();
   * const { items, cursor } = await orders.query({ customerId: 'c1' }).page({ size: 25 });
   * ```
   */
  query(partition: QueryPartition<T>): QueryBuilder<T> {
    return newQuery(this.#context, partition);
  }

  /**
   * A scan of the whole table, optionally parallel (`.segments(n)`). Returns an immutable
   * builder; nothing is sent until `page()`, `all()`, `count()` or `for await`.
   *
   * @example
   * ```ts
   * const inactive = await users.scan().filter((c) => c.eq('active', false)).all();
   * const total = await users.scan().segments(4).count();
   * ```
   */
  scan(): ScanBuilder<T> {
    return newScan(this.#context);
  }

  /**
   * Changes attributes of the item with this key in ONE UpdateItem, without reading it first:
   * `set` (encrypted properties are encrypted for this item), `remove`, `add` (numbers, sets) and
   * `append` (lists). `@UpdatedAt` is set to now and `@Version` incremented; with
   * `expectedVersion` the update also requires that stored version (`VERSION_CONFLICT`). The item
   * must exist (`CONDITION_FAILED` otherwise): an update never creates one. Key properties cannot
   * be updated, and `add`/`append` on an encrypted property fail with
   * `ENCRYPTED_FIELD_NOT_QUERYABLE`, both before anything is sent. Resolves to the updated entity,
   * decrypted (if that fails, the update has nonetheless been applied; a returned item of another
   * key fails with `RESPONSE_MISMATCH`), or to `undefined` with `returnValues: 'none'`.
   *
   * @example
   * ```ts
   * const order = await orders.update(
   *   { id: 'o1' },
   *   { set: { status: 'paid', cardToken: token }, add: { attempts: 1 }, remove: ['draft'] },
   *   { expectedVersion: 3, condition: (c) => c.eq('status', 'open') },
   * );
   * ```
   */
  update(
    key: EntityKey<T>,
    changes: UpdateChanges<T>,
    options?: UpdateOptions<T> & { returnValues?: 'allNew' },
  ): Promise<T>;
  /** With `returnValues: 'none'`: resolves to `undefined`. */
  update(
    key: EntityKey<T>,
    changes: UpdateChanges<T>,
    options: UpdateOptions<T> & { returnValues: 'none' },
  ): Promise<undefined>;
  /** With options whose `returnValues` is not known statically. */
  update(
    key: EntityKey<T>,
    changes: UpdateChanges<T>,
    options?: UpdateOptions<T>,
  ): Promise<T | undefined>;
  update(
    key: EntityKey<T>,
    changes: UpdateChanges<T>,
    options?: UpdateOptions<T>,
  ): Promise<T | undefined> {
    return updateEntity(this.#context, key, changes, options);
  }

  /**
   * The entity in a DynamoDB Streams image (`NewImage` or `OldImage` of a record, binaries as
   * base64 strings as Lambda delivers them, or as `Uint8Array`s), with its encrypted properties
   * decrypted under the same fail-closed rules as `find`.
   *
   * @example
   * ```ts
   * export const handler = async (event: DynamoDBStreamEvent) => {
   *   for (const record of event.Records) {
   *     const image = record.dynamodb?.NewImage;
   *     if (image) console.log((await users.fromStreamImage(image as StreamImage)).id);
   *   }
   * };
   * ```
   */
  fromStreamImage(image: StreamImage): Promise<T> {
    return entityFromStreamImage(this.#context, image);
  }

  /**
   * Loads many entities by key (BatchGetItem, 100 keys a request, any number of keys). The result
   * has one entry per key, **in the order of the keys**: the entity, or `undefined` where there
   * is no item. A key given twice is read once and its entity appears at both positions (as two
   * instances). Keys are checked before anything is sent (`VALIDATION`, naming `keys[i]`).
   *
   * Keys DynamoDB leaves unprocessed are retried (see `batchRetry`); when the attempts run out the
   * call fails with `BatchIncompleteError` (`BATCH_INCOMPLETE`) and returns **nothing**, not even
   * the entities read so far. Encrypted fields are decrypted with one data-key scope for the whole
   * call (one Decrypt per distinct data key); one value that does not decrypt fails the whole
   * call with its `EncryptionError`.
   *
   * @example
   * ```ts
   * const [a, missing, b] = await users.batchFind([{ id: 'u1' }, { id: 'nope' }, { id: 'u2' }]);
   * // missing === undefined
   * ```
   */
  batchFind(keys: readonly EntityKey<T>[], options?: BatchFindOptions): Promise<(T | undefined)[]> {
    return batchFindEntities(this.#context, keys, options);
  }

  /**
   * Saves many entities (BatchWriteItem, 25 a request, any number), maintaining `@CreatedAt` and
   * `@UpdatedAt` (one timestamp for the whole call, copied onto each instance once DynamoDB
   * acknowledged it). Returns the entities.
   *
   * - Every entity is checked, and every encrypted field encrypted (one data-key scope for the
   *   whole call), before the first request: a validation or KMS failure writes nothing.
   * - The same key twice in one call is refused (`VALIDATION`, naming the positions).
   * - Entities with `@Version` are refused (`VALIDATION`): BatchWriteItem cannot check a version.
   *   Use `save()`, or a transaction.
   * - A batch write is not atomic. Items DynamoDB leaves unprocessed are retried (see
   *   `batchRetry`); when the attempts run out, `BatchIncompleteError` (`BATCH_INCOMPLETE`) lists
   *   the entities written (`processed`) and not written (`unprocessed`). A batch write that stops
   *   for any DynamoDB failure after it started fails the same way, with that failure as `cause`.
   *
   * @example
   * ```ts
   * await users.batchSave(rows.map((row) => Object.assign(new User(), row)));
   * ```
   */
  batchSave(entities: readonly T[], options?: RequestOptions): Promise<T[]> {
    return batchSaveEntities(this.#context, entities, options);
  }

  /**
   * Deletes many entities by key (BatchWriteItem, 25 a request, any number). Deleting an absent
   * item succeeds; the same key twice in one call is refused (`VALIDATION`, naming the positions).
   * Not atomic: when retries of unprocessed keys run out, or DynamoDB fails a request, the call
   * fails with `BatchIncompleteError` listing the keys deleted and not deleted.
   *
   * @example
   * ```ts
   * await users.batchDelete([{ id: 'u1' }, { id: 'u2' }]);
   * ```
   */
  batchDelete(keys: readonly EntityKey<T>[], options?: RequestOptions): Promise<void> {
    return batchDeleteKeys(this.#context, keys, options);
  }

  /**
   * The table and entity, for logs: `JSON.stringify(repo)` and `console.log(repo)` print these
   * and nothing else (no cursor key, no client, no key binding).
   *
   * @example
   * ```ts
   * console.log(users); // Repository<User> { table: 'users', entity: 'User' }
   * JSON.stringify(users); // {"table":"users","entity":"User"}
   * ```
   */
  toJSON(): { table: string; entity: string } {
    const { table, entityName } = this.#context.metadata;
    return { table, entity: entityName };
  }

  /** @internal What `util.inspect` prints: see {@link toJSON}. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, print: typeof inspect): string {
    const name = `Repository<${this.#context.metadata.className}>`;
    return printedSummary(name, this.toJSON(), depth, options, print);
  }
}
