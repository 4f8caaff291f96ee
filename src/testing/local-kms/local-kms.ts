import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { ValidationError } from '../../errors';
import { CallCounter } from './call-counter';
import { Faults, type FailNextOptions, type FaultScope } from './faults';
import { KmsException } from './kms-exception';
import { KeyStore, REGION } from './key-store';
import { OPERATIONS } from './operations';
import { Partition } from './partition';
import { operationOf, readBody, sendError, sendResult } from './wire';

/**
 * Options of {@link LocalKms.start}.
 *
 * @example
 * ```ts
 * const east = await LocalKms.start({ region: 'us-east-1' });
 * const west = await LocalKms.start({ region: 'eu-west-1', peer: east });
 * ```
 */
export interface LocalKmsOptions {
  /** The region in ARNs and in clients from {@link LocalKms.client}; default `us-east-1`. */
  region?: string;
  /**
   * Another LocalKms whose partition this one joins. The instances of one partition stand for
   * the regions of one AWS partition and account: ReplicateKey sent to any of them can create a
   * replica in any other. Joining through any member joins them all; each region may have one
   * running instance in a partition (`ValidationError` otherwise). Without a peer, an instance
   * is a partition of its own. A stopped instance leaves its partition.
   */
  peer?: LocalKms;
}

/**
 * Options of {@link LocalKms.client}.
 *
 * @example
 * ```ts
 * const client = kms.client({ maxAttempts: 3, requestTimeoutMs: 500 });
 * ```
 */
export interface LocalKmsClientOptions {
  /** SDK attempts per call, retries included; default 1 so tests see every failure. */
  maxAttempts?: number;
  /** An SDK-level request timeout (the handler's `requestTimeout`, raised as an error). */
  requestTimeoutMs?: number;
}

/**
 * A loopback KMS for tests: an HTTP server on 127.0.0.1 speaking the KMS JSON 1.1 protocol, so the
 * unmodified `@aws-sdk/client-kms` runs end to end against it. Symmetric keys only; key states,
 * aliases, encryption contexts and `KeyId` pinning behave as in KMS; request signatures are not
 * checked. Ciphertext blobs use a LocalKms format (AES-256-GCM under per-key random material), not
 * the real one, and are only meaningful to the instance that made them, or, for a multi-region
 * key, to the instances holding its replicas.
 *
 * Answers: CreateKey (`MultiRegion` included), ReplicateKey, DescribeKey, CreateAlias, EnableKey,
 * DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, GenerateDataKey, Encrypt, Decrypt.
 *
 * **Regions and multi-region keys.** Each instance is one region ({@link LocalKmsOptions.region}).
 * Instances started with a `peer` form a partition, so ReplicateKey, sent to the primary key's
 * region as in KMS, creates the replica in the replica region's instance: same `mrk-` key id and
 * key material, an ARN differing only in region, its own key state, description and aliases.
 * A ciphertext made under any key of the family decrypts under any other, each in its own
 * region; a single-region key's ciphertext never decrypts in another instance. DescribeKey
 * reports `MultiRegion` and `MultiRegionConfiguration` (the primary and every replica) in every
 * region. The replica is `Enabled` at once, where KMS shows `Creating` for a few seconds, and the
 * replica region's instance counts no request for it. Not modelled: UpdatePrimaryRegion, and the
 * `PendingReplicaDeletion` state of a primary whose replicas are being deleted.
 *
 * Test controls count requests ({@link calls}) and inject faults ({@link failNext},
 * {@link setLatency}, {@link resetConnections}). The convenience methods ({@link createKey},
 * {@link disableKey}, ...) change the key store directly, without a request, so they never show up
 * in the counters.
 *
 * @example
 * ```ts
 * const kms = await LocalKms.start();
 * const keyArn = await kms.createKey({ alias: 'alias/app' });
 * const client = kms.client();
 * await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/app', KeySpec: 'AES_256' }));
 * kms.calls('GenerateDataKey'); // 1
 * kms.failNext(1, 'ThrottlingException', { operation: 'Decrypt' });
 *
 * // A second region, and a multi-region key replicated over the wire
 * const west = await LocalKms.start({ region: 'eu-west-1', peer: kms });
 * const mrk = await kms.createKey({ multiRegion: true }); // arn:aws:kms:us-east-1:...:key/mrk-...
 * await client.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'eu-west-1' }));
 * // a ciphertext of `mrk` now decrypts through west.client() with KeyId = the eu-west-1 ARN
 * await Promise.all([kms.stop(), west.stop()]);
 * ```
 */
export class LocalKms {
  private readonly counter = new CallCounter();
  private readonly faults = new Faults();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly clients: KMSClient[] = [];
  private stopped = false;

  private constructor(
    private readonly server: Server,
    /**
     * The region of every ARN and client of this instance.
     *
     * @example
     * ```ts
     * kms.region; // 'us-east-1'
     * ```
     */
    readonly region: string,
    /**
     * The base URL of this server (`http://127.0.0.1:<port>`), for a client's `endpoint`. It stays
     * set after {@link stop}, so a test can aim a client at a closed port (`ECONNREFUSED`).
     *
     * @example
     * ```ts
     * new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials });
     * ```
     */
    readonly endpoint: string,
    private readonly store: KeyStore,
  ) {}

  /**
   * Start a LocalKms on a free loopback port; with `peer`, as another region of that instance's
   * partition.
   *
   * @example
   * ```ts
   * const kms = await LocalKms.start({ region: 'eu-west-1' });
   * const replicaRegion = await LocalKms.start({ region: 'eu-central-1', peer: kms });
   * ```
   */
  static async start(options: LocalKmsOptions = {}): Promise<LocalKms> {
    const region = options.region ?? 'us-east-1';
    if (!REGION.test(region))
      throw new ValidationError(`LocalKms: invalid region ${JSON.stringify(region)}`);
    const store = new KeyStore(region, options.peer?.store.partition ?? new Partition());
    // Joined before anything is listening: a region taken in the partition fails at once, and
    // two starts for one region cannot both get in while waiting for their ports.
    store.partition.join(store);
    const server = createServer();
    // Longer than any test: the SDK's keep-alive agent must never reuse a socket the server has
    // just timed out, which shows up as a random ECONNRESET. stop() closes them all.
    server.keepAliveTimeout = 60_000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      store.partition.leave(store);
      throw error;
    }
    const { port } = server.address() as AddressInfo;
    const kms = new LocalKms(server, region, `http://127.0.0.1:${port}`, store);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      void kms.handle(req, res);
    });
    return kms;
  }

  /**
   * A `KMSClient` for this server (static dummy credentials, this region and endpoint). `stop()`
   * destroys the clients made before it.
   *
   * @example
   * ```ts
   * const client = kms.client({ maxAttempts: 3, requestTimeoutMs: 500 });
   * ```
   */
  client(options: LocalKmsClientOptions = {}): KMSClient {
    const client = new KMSClient({
      region: this.region,
      endpoint: this.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: options.maxAttempts ?? 1,
      ...(options.requestTimeoutMs === undefined
        ? {}
        : {
            // Without throwOnRequestTimeout the SDK only logs a warning when the time is up.
            requestHandler: {
              requestTimeout: options.requestTimeoutMs,
              throwOnRequestTimeout: true,
            },
          }),
    });
    this.clients.push(client);
    return client;
  }

  /**
   * Create an enabled symmetric key (and an alias for it) without a request. Returns the key ARN.
   * With `multiRegion: true`, the key is the primary of a multi-region key (`mrk-` key id), as
   * CreateKey with `MultiRegion: true` makes it.
   *
   * @example
   * ```ts
   * const arn = await kms.createKey({ alias: 'alias/users' });
   * const mrk = await kms.createKey({ multiRegion: true });
   * ```
   */
  createKey(
    options: { alias?: string; description?: string; multiRegion?: boolean } = {},
  ): Promise<string> {
    return settled(() => {
      const key = this.store.create(options.description ?? '', options.multiRegion === true);
      if (options.alias !== undefined) this.store.createAlias(options.alias, key.keyId);
      return key.arn;
    });
  }

  /**
   * Replicate the multi-region primary key `keyId` (key id or ARN of this instance) to the
   * instance of `replicaRegion` in this partition, as ReplicateKey would, without a request.
   * Returns the replica's ARN. Fails with the ReplicateKey exceptions (`name`), such as
   * `AlreadyExistsException` when the region has a replica already.
   *
   * @example
   * ```ts
   * const west = await LocalKms.start({ region: 'eu-west-1', peer: kms });
   * const mrk = await kms.createKey({ multiRegion: true });
   * const replicaArn = await kms.replicateKey(mrk, 'eu-west-1');
   * ```
   */
  replicateKey(keyId: string, replicaRegion: string, description = ''): Promise<string> {
    return settled(() => this.store.replicate(keyId, replicaRegion, description).arn);
  }

  /**
   * Disable a key (key id, ARN, alias name or alias ARN), as DisableKey would.
   *
   * @example
   * ```ts
   * await kms.disableKey(arn); // Encrypt/Decrypt now fail with DisabledException
   * ```
   */
  disableKey(keyId: string): Promise<void> {
    return settled(() => this.setState(keyId, 'Disabled'));
  }

  /**
   * Enable a key again, as EnableKey would.
   *
   * @example
   * ```ts
   * await kms.enableKey(arn);
   * ```
   */
  enableKey(keyId: string): Promise<void> {
    return settled(() => this.setState(keyId, 'Enabled'));
  }

  /**
   * Put a key in `PendingDeletion` (30 days), as ScheduleKeyDeletion would.
   *
   * @example
   * ```ts
   * await kms.scheduleDeletion(arn); // Encrypt/Decrypt now fail with KMSInvalidStateException
   * ```
   */
  scheduleDeletion(keyId: string): Promise<void> {
    return settled(() => {
      const key = this.store.resolve(keyId);
      if (key.state === 'PendingDeletion') return;
      key.state = 'PendingDeletion';
      key.deletionDate = new Date(Date.now() + 30 * 86_400_000);
    });
  }

  /**
   * Requests received for `operation` (such as `'Decrypt'`), or for all operations when omitted.
   * Counted on arrival: requests answered with an injected fault, delayed, or dropped by
   * {@link resetConnections} are included.
   *
   * @example
   * ```ts
   * kms.resetCalls();
   * await repo.get(key);
   * expect(kms.calls('Decrypt')).to.equal(1);
   * ```
   */
  calls(operation?: string): number {
    return this.counter.count(operation);
  }

  /**
   * Set every counter back to zero.
   *
   * @example
   * ```ts
   * kms.resetCalls();
   * ```
   */
  resetCalls(): void {
    this.counter.reset();
  }

  /**
   * Answer the next `count` matching requests with the KMS error `exceptionName` (its `__type`).
   * The SDK raises its class for a known name and a `KMSServiceException` with that `name`
   * otherwise.
   *
   * @example
   * ```ts
   * kms.failNext(2, 'ThrottlingException', { operation: 'GenerateDataKey' });
   * kms.failNext(1, 'KMSInternalException'); // status 500
   * ```
   */
  failNext(count: number, exceptionName: string, options: FailNextOptions = {}): void {
    this.faults.failNext(count, exceptionName, options);
  }

  /**
   * Delay every matching answer by `ms`. A per-operation latency wins over the all-operations
   * one. `setLatency(0, { operation })` removes that operation's latency; `setLatency(0)` removes
   * every latency. A request whose client gives up during the delay is dropped: it is counted,
   * but it neither runs nor consumes a queued {@link failNext} or {@link resetConnections}.
   *
   * @example
   * ```ts
   * kms.setLatency(1000, { operation: 'Decrypt' });
   * ```
   */
  setLatency(ms: number, scope: FaultScope = {}): void {
    this.faults.setLatency(ms, scope);
  }

  /**
   * Destroy the connection of the next `count` matching requests without answering; the client
   * sees a connection reset ("socket hang up", `ECONNRESET`).
   *
   * @example
   * ```ts
   * kms.resetConnections(1, { operation: 'GenerateDataKey' });
   * ```
   */
  resetConnections(count: number, scope: FaultScope = {}): void {
    this.faults.resetConnections(count, scope);
  }

  /**
   * Remove every queued failure, reset and latency.
   *
   * @example
   * ```ts
   * afterEach(() => kms.clearFaults());
   * ```
   */
  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Stop the server: destroy the clients it made, close every connection (keep-alive ones
   * included, so the process can exit) and cancel delayed answers. Safe to call twice.
   *
   * @example
   * ```ts
   * after(() => kms.stop());
   * ```
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.store.partition.leave(this.store);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const client of this.clients.splice(0)) client.destroy();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private setState(keyId: string, state: 'Enabled' | 'Disabled'): void {
    const key = this.store.resolve(keyId);
    if (key.state === 'PendingDeletion') {
      throw new KmsException('KMSInvalidStateException', `${key.arn} is pending deletion`);
    }
    key.state = state;
  }

  /** One request: count, read, delay, apply faults, then run the operation. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const operation = operationOf(req);
    this.counter.record(operation);
    try {
      const body = await readBody(req);
      const latency = this.faults.latency(operation);
      if (latency > 0) {
        await this.delay(latency);
        // The client gave up while waiting (a timeout): nobody will read an answer, so the
        // request must neither consume a queued fault meant for a later request nor run.
        if (res.destroyed || req.socket.destroyed) return;
      }
      if (this.faults.takeReset(operation)) {
        req.socket.destroy();
        return;
      }
      const injected = this.faults.takeFailure(operation);
      if (injected !== undefined) throw injected;
      const run = req.method === 'POST' ? OPERATIONS.get(operation) : undefined;
      if (run === undefined) {
        throw new KmsException('UnknownOperationException', `Unknown operation: ${operation}`);
      }
      sendResult(res, run(this.store, body));
    } catch (error) {
      sendError(
        res,
        error instanceof KmsException
          ? error
          : new KmsException('KMSInternalException', 'LocalKms internal error', 500),
      );
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/**
 * `fn()` as a promise: the conveniences act synchronously on the key store, but keep the async
 * shape of the KMS operations they stand for, with failures (KMS exceptions) as rejections.
 */
function settled<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}
