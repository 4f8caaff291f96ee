import { randomBytes } from 'node:crypto';
import { inspect, type InspectOptionsStylized } from 'node:util';
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import { mapperFor } from '../mapping/entity-mapper';
import type { Constructor } from '../metadata/declarations';
import { entityMetadata } from '../metadata/discovery';
import { convertDynamoError } from './dynamo-error-converter';
import { ItemEncryption } from './item-encryption';
import { KeyBinding } from './key-binding';
import type { KmsOptions } from './kms-options';
import { logOperation, type TheoryDbLogger } from './logger';
import { printedSummary } from './printed-summary';
import { Repository } from './repository';
import { registerContext } from './context-registry';
import { registerInternals } from './theorydb-internals';
import type { BatchRetryOptions, RepositoryContext } from './repository-context';
import { tableDefinition } from './table-definition';
import { type RequestOptions, sendOptions } from './request-options';
import { runTransaction } from '../transactions/transact-write';
import {
  transactFind,
  type TransactFindResult,
  type TransactGet,
} from '../transactions/transact-find';
import type { TransactionBuilder } from '../transactions/transaction-builder';

/** Options of {@link TheoryDb}. */
export interface TheoryDbOptions {
  /** The DynamoDB client every repository of this instance uses. */
  dynamodb: DynamoDBClient;
  /** The KMS binding for `@Encrypted` fields. Without it, encrypted entities refuse to work. */
  kms?: KmsOptions;
  /** Receives operation names, tables, entities, attribute names and timings; never values. */
  logger?: TheoryDbLogger;
  /** The clock for `@CreatedAt` and `@UpdatedAt`. Default: `() => new Date()`. */
  now?: () => Date;
  /**
   * The key (at least 32 bytes) that signs query and scan cursors, so a cursor from another query
   * or an altered one is refused. Default: random per `TheoryDb` instance, so cursors only work in
   * the process that made them; set it (from a secret store) for cursors that cross processes,
   * such as API pagination served by several Lambda instances.
   */
  cursorKey?: Uint8Array;
  /** How batch operations retry unprocessed items; see {@link BatchRetryOptions}. */
  batchRetry?: Partial<BatchRetryOptions>;
}

/** Options of {@link TheoryDb.createTable}. */
export interface CreateTableOptions extends RequestOptions {
  /** Succeed without change when the table already exists. */
  ifNotExists?: boolean;
  /** How long to wait for the table to become active. Default 60 s. */
  maxWaitSeconds?: number;
}

/**
 * The entry point: holds the DynamoDB client and the KMS binding, and hands out repositories.
 *
 * @example
 * ```ts
 * const db = new TheoryDb({
 *   dynamodb: new DynamoDBClient({}),
 *   kms: { client: new KMSClient({}), keyId: 'alias/app-secrets' },
 * });
 * await db.createTable(User, { ifNotExists: true });
 * const users = db.repository(User);
 * ```
 */
export class TheoryDb {
  // Native private fields: unlike TypeScript's `private`, they cannot be read at run time
  // (`db.cursorKey`) nor printed by util.inspect.
  readonly #dynamodb: DynamoDBClient;
  readonly #binding: KeyBinding;
  readonly #logger: TheoryDbLogger | undefined;
  readonly #now: () => Date;
  readonly #cursorKey: Buffer;
  readonly #batchRetry: BatchRetryOptions;
  readonly #repositories = new Map<Constructor<object>, Repository<object>>();
  readonly #contexts = new Map<Constructor<object>, RepositoryContext<object>>();

  constructor(options: TheoryDbOptions) {
    if (typeof options !== 'object' || options === null || options.dynamodb === undefined) {
      throw new ValidationError('TheoryDb: options.dynamodb (a DynamoDBClient) is required');
    }
    this.#dynamodb = options.dynamodb;
    this.#binding = new KeyBinding(options.kms);
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
    this.#cursorKey = checkedCursorKey(options.cursorKey);
    this.#batchRetry = checkedBatchRetry(options.batchRetry);
    registerInternals(this, {
      dynamodb: this.#dynamodb,
      plaintextContext: (target, plaintextFields, preflight, client) =>
        this.#contextFor(target, new Set(plaintextFields), preflight, client),
    });
  }

  /**
   * The repository of an entity class, created once per class. The class is validated here, at
   * its first use: a definition error throws `EntityDefinitionError` naming the class and property.
   *
   * @example
   * ```ts
   * const users = db.repository(User);
   * ```
   */
  repository<T extends object>(target: Constructor<T>): Repository<T> {
    let repository = this.#repositories.get(target);
    if (repository === undefined) {
      repository = new Repository(this.#sharedContext(target));
      this.#repositories.set(target, repository);
    }
    return repository as unknown as Repository<T>;
  }

  /**
   * Creates the entity's table from its metadata: key schema, attribute definitions, secondary
   * indexes (projecting all attributes), on-demand billing, and TTL on the `@Ttl` attribute.
   * Waits until the table is active.
   *
   * @example
   * ```ts
   * await db.createTable(User, { ifNotExists: true });
   * ```
   */
  async createTable(target: Constructor<object>, options: CreateTableOptions = {}): Promise<void> {
    const metadata = entityMetadata(target);
    const context = {
      operation: 'createTable',
      table: metadata.table,
      entity: metadata.entityName,
    };
    const started = performance.now();
    try {
      await this.#dynamodb.send(
        new CreateTableCommand(tableDefinition(metadata)),
        sendOptions(options.abortSignal),
      );
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (!(options.ifNotExists === true && name === 'ResourceInUseException')) {
        throw convertDynamoError(error, context);
      }
      return;
    }
    try {
      await waitUntilTableExists(
        {
          client: this.#dynamodb,
          maxWaitTime: options.maxWaitSeconds ?? 60,
          minDelay: 1,
          ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
        },
        { TableName: metadata.table },
      );
      if (metadata.ttl !== undefined) {
        await this.#dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: metadata.table,
            TimeToLiveSpecification: { AttributeName: metadata.ttl.attribute, Enabled: true },
          }),
          sendOptions(options.abortSignal),
        );
      }
    } catch (error) {
      throw convertDynamoError(error, context);
    }
    logOperation(this.#logger, { ...context, durationMs: performance.now() - started });
  }

  /**
   * Deletes the entity's table, with all its items. Meant for tests and tooling.
   *
   * @example
   * ```ts
   * await db.deleteTable(User);
   * ```
   */
  async deleteTable(target: Constructor<object>, options: RequestOptions = {}): Promise<void> {
    const metadata = entityMetadata(target);
    try {
      await this.#dynamodb.send(
        new DeleteTableCommand({ TableName: metadata.table }),
        sendOptions(options.abortSignal),
      );
    } catch (error) {
      throw convertDynamoError(error, {
        operation: 'deleteTable',
        table: metadata.table,
        entity: metadata.entityName,
      });
    }
  }

  /**
   * Writes several entities, of one or several classes and tables, all or nothing: the callback
   * adds actions to `tx` (`save`, `delete`, `update`, `check`), and once it returns they are sent
   * as ONE TransactWriteItems (1 to 100 actions, at most one per item). Every entity's key binding
   * is checked and every item encrypted (one data-key scope) before anything is sent, so a KMS
   * failure writes nothing. Saved instances get their new `@Version` and timestamps only after the
   * commit. A cancelled transaction fails with `TransactionCanceledError` (`TRANSACTION_CANCELED`)
   * holding one reason per action (`VERSION_CONFLICT`, `CONDITION_FAILED`, `NONE`, ...). Resolves
   * to what the callback returned. With `{ abortSignal }`, an aborted signal sends nothing and
   * rejects with `AbortedError` (`ABORTED`).
   *
   * @example
   * ```ts
   * await db.transaction((tx) => {
   *   tx.save(order, { ifNotExists: true });
   *   tx.update(Customer, { id: order.customerId }, { add: { orders: 1 } });
   *   tx.delete(Cart, { id: order.cartId });
   *   tx.check(Shop, { id: 'main' }, (c) => c.eq('open', true));
   * });
   * ```
   */
  transaction<R>(
    build: (tx: TransactionBuilder) => R | Promise<R>,
    options?: RequestOptions,
  ): Promise<R> {
    return runTransaction((target) => this.#sharedContext(target), build, options);
  }

  /**
   * Reads up to 100 items, of one or several classes, as one serializable snapshot
   * (TransactGetItems), decrypting them with one data-key scope. Resolves to one entry per pair,
   * in order: the entity, or `undefined` where there is no item. One item that fails to decrypt
   * fails the whole call.
   *
   * @example
   * ```ts
   * const [user, account] = await db.transactFind([
   *   [User, { id: 'u1' }],
   *   [Account, { userId: 'u1', id: 'main' }],
   * ] as const);
   * ```
   */
  transactFind<const L extends readonly TransactGet[]>(
    gets: L,
    options?: RequestOptions,
  ): Promise<TransactFindResult<L>> {
    return transactFind((target) => this.#sharedContext(target), gets, options) as Promise<
      TransactFindResult<L>
    >;
  }

  /**
   * What this instance serves, for logs: the entities and tables used so far, and the names of
   * its keys. `JSON.stringify(db)` and `console.log(db)` print this and nothing else: never the
   * cursor key, the clients, key ids or data keys.
   *
   * @example
   * ```ts
   * console.log(db);
   * // TheoryDb { entities: [ 'User' ], tables: [ 'users' ], kms: { keys: [ 'keyId' ], ... } }
   * ```
   */
  toJSON(): { entities: string[]; tables: string[]; kms: Record<string, unknown> | false } {
    const used = [...this.#contexts.values()].map((context) => context.metadata);
    return {
      entities: used.map((metadata) => metadata.entityName),
      tables: [...new Set(used.map((metadata) => metadata.table))],
      kms: this.#binding.toJSON(),
    };
  }

  /** @internal What `util.inspect` prints: see {@link toJSON}. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, print: typeof inspect): string {
    return printedSummary('TheoryDb', this.toJSON(), depth, options, print);
  }

  /** The context of an entity's repository, built once per class and shared by transactions. */
  #sharedContext<T extends object>(target: Constructor<T>): RepositoryContext<T> {
    let context = this.#contexts.get(target);
    if (context === undefined) {
      context = this.#contextFor(target, new Set());
      this.#contexts.set(target, context);
    }
    return context as unknown as RepositoryContext<T>;
  }

  /**
   * The shared parts of a repository. `plaintextFields` is empty except for `plaintextFixture`,
   * which reaches this only through the module-private internals (see theorydb-internals.ts).
   */
  #contextFor<T extends object>(
    target: Constructor<T>,
    plaintextFields: ReadonlySet<string>,
    extraPreflight?: () => Promise<void>,
    client: DynamoDBClient = this.#dynamodb,
  ): RepositoryContext<T> {
    const metadata = entityMetadata(target);
    const encryption = new ItemEncryption(metadata, this.#binding, plaintextFields);
    return registerContext({
      metadata,
      mapper: mapperFor(metadata),
      encryption,
      client,
      logger: this.#logger,
      now: this.#now,
      cursorKey: this.#cursorKey,
      batchRetry: this.#batchRetry,
      preflight:
        extraPreflight === undefined
          ? () => encryption.assertConfigured()
          : async () => {
              encryption.assertConfigured();
              await extraPreflight();
            },
    });
  }
}

function checkedCursorKey(key: Uint8Array | undefined): Buffer {
  if (key === undefined) return randomBytes(32);
  if (!(key instanceof Uint8Array) || key.byteLength < 32) {
    throw new ValidationError('TheoryDb: cursorKey must be a Uint8Array of at least 32 bytes');
  }
  return Buffer.from(key);
}

function checkedBatchRetry(options: Partial<BatchRetryOptions> | undefined): BatchRetryOptions {
  const retry = { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 2000, ...options };
  const positive = (n: number, integer: boolean) =>
    Number.isFinite(n) && n >= (integer ? 1 : 0) && (!integer || Number.isInteger(n));
  if (
    !positive(retry.maxAttempts, true) ||
    !positive(retry.baseDelayMs, false) ||
    !positive(retry.maxDelayMs, false)
  ) {
    throw new ValidationError(
      'TheoryDb: batchRetry.maxAttempts must be an integer >= 1 and the delays numbers >= 0',
    );
  }
  return Object.freeze(retry);
}
