import { inspect, type InspectOptionsStylized } from 'node:util';
import { DataKeyCache } from '../crypto/data-key-cache';
import { DataKeyScope } from '../crypto/data-key-scope';
import { dataKeyMaterial, type DataKeyMaterial } from '../crypto/data-key';
import type { WrapEntry } from '../crypto/envelope';
import { MAX_ENTRIES } from '../crypto/envelope-layout';
import { keyFingerprint } from '../crypto/key-fingerprint';
import { KmsKeyProvider } from '../crypto/kms-key-provider';
import { EncryptionError, ValidationError } from '../errors';
import type { AdditionalKey, KmsOptions } from './kms-options';

/** An additional key of a binding, with the provider of its own client. */
interface AdditionalWrap {
  readonly provider: KmsKeyProvider;
  readonly keyId: string;
}
import { printedSummary } from './printed-summary';

/**
 * The strict key resolver: maps an `@Encrypted` field's key name to the key bound at
 * construction, and nothing else. A named key never falls back to the default key, and a field
 * whose key is not bound cannot be used at all. Retired keys (`kms.retired`) are only ever
 * matched to the key an envelope names, for reading.
 */
export class KeyBinding {
  // Native private fields: the provider holds the KMS client and the cache holds plaintext data
  // keys; neither may be reachable from an object a log line could print.
  readonly #provider: KmsKeyProvider | undefined;
  readonly #cache: DataKeyCache | undefined;
  readonly #keyIds: ReadonlyMap<string | undefined, string>;
  readonly #retiredIds: ReadonlyMap<string | undefined, readonly string[]>;
  /** Fingerprints of the resolved key ARNs, current and retired. */
  readonly #fingerprints = new Map<string, Buffer>();
  /** The additional keys of each binding, each with the provider of its own client. */
  readonly #additional: ReadonlyMap<string | undefined, readonly AdditionalWrap[]>;
  /** The additional keys by the resolved ARN of the binding key they belong to. */
  readonly #additionalByArn = new Map<string, readonly AdditionalWrap[]>();

  constructor(options: KmsOptions | undefined) {
    this.#keyIds = checkedKeyIds(options);
    this.#retiredIds = checkedRetiredIds(options, this.#keyIds);
    this.#provider =
      options === undefined
        ? undefined
        : new KmsKeyProvider({ client: options.client, timeoutMs: options.timeoutMs });
    this.#additional = checkedAdditionalKeys(options);
    this.#cache = options?.cache === undefined ? undefined : new DataKeyCache(publicCache(options));
  }

  /** True when the field's key (a name, or undefined for the default key) is bound. */
  isBound(keyName: string | undefined): boolean {
    return this.#provider !== undefined && this.#keyIds.has(keyName);
  }

  /** Describes what is not bound, for `ENCRYPTION_NOT_CONFIGURED` messages. */
  describeMissing(keyName: string | undefined): string {
    if (this.#provider === undefined) return 'the client has no kms binding';
    return keyName === undefined ? 'kms.keyId is not set' : `kms.keys.${keyName} is not set`;
  }

  /**
   * The ARN of the field's key, resolved once per key id (DescribeKey, shared: `signal` ends only
   * this caller's wait).
   */
  async keyArn(
    keyName: string | undefined,
    context: { entity: string; field?: string },
    signal?: AbortSignal,
  ): Promise<string> {
    const keyId = this.#keyIds.get(keyName);
    if (this.#provider === undefined || keyId === undefined) {
      throw new EncryptionError(
        'ENCRYPTION_NOT_CONFIGURED',
        `${context.field === undefined ? `${context.entity} has @Signed attributes` : `${context.entity}.${context.field} is encrypted`} but ${this.describeMissing(keyName)}`,
        context,
      );
    }
    try {
      const arn = await this.#provider.resolveKeyArn(keyId, signal);
      this.associateAdditional(keyName, arn);
      return arn;
    } catch (error) {
      throw error instanceof EncryptionError ? error.withContext(context) : error;
    }
  }

  /**
   * Remembers which additional keys new data keys under `arn` are wrapped for. Two bindings that
   * resolve to one KMS key must agree on them, or a data key cached for one would lack (or carry)
   * the other's wraps.
   */
  private associateAdditional(keyName: string | undefined, arn: string): void {
    const additional = this.#additional.get(keyName) ?? [];
    const known = this.#additionalByArn.get(arn);
    if (known === undefined) {
      this.#additionalByArn.set(arn, additional);
      return;
    }
    if (known !== additional && (known.length > 0 || additional.length > 0)) {
      throw new ValidationError(
        'TheoryDb: two kms bindings resolve to one KMS key with different additionalKeys; give them the same additional keys or distinct keys',
      );
    }
  }

  /**
   * The ARN of the retired key of this field's binding whose fingerprint is `fingerprint`, or
   * undefined when none is. Resolves the binding's retired keys (DescribeKey, once per key id) in
   * the order configured, and stops at the match.
   */
  async retiredKeyArn(
    keyName: string | undefined,
    fingerprint: Buffer,
    context: { entity: string; field?: string },
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const provider = this.#provider;
    if (provider === undefined) return undefined;
    for (const keyId of this.#retiredIds.get(keyName) ?? []) {
      let arn: string;
      try {
        arn = await provider.resolveKeyArn(keyId, signal);
      } catch (error) {
        throw error instanceof EncryptionError ? error.withContext(context) : error;
      }
      if (this.fingerprintOf(arn).equals(fingerprint)) return arn;
    }
    return undefined;
  }

  /**
   * The fingerprint of a resolved key ARN, computed once per ARN: reads compare it with every
   * envelope (a SHA-256 per envelope measured 2 us).
   */
  fingerprintOf(keyArn: string): Buffer {
    let fingerprint = this.#fingerprints.get(keyArn);
    if (fingerprint === undefined) {
      fingerprint = keyFingerprint(keyArn);
      this.#fingerprints.set(keyArn, fingerprint);
    }
    return fingerprint;
  }

  /**
   * A data-key scope for one operation, cancelled by the operation's `signal` (see
   * {@link DataKeyScope}).
   */
  newScope(signal?: AbortSignal): DataKeyScope {
    const provider = this.#provider;
    if (provider === undefined) {
      throw new EncryptionError('ENCRYPTION_NOT_CONFIGURED', 'the client has no kms binding');
    }
    return new DataKeyScope(
      {
        generateDataKey: (keyArn, table, own) => this.generateWrapped(provider, keyArn, table, own),
        decryptDataKey: (keyArn, wrappedKey, table, own) =>
          provider.decryptDataKey(keyArn, wrappedKey, table, own),
      },
      this.#cache,
      signal,
    );
  }

  /**
   * A new data key under `keyArn`, also wrapped under each additional key of its binding (one
   * `Encrypt` each, through that key's own client): the envelope stores every wrap. `signal`
   * cancels all of it; an abort after GenerateDataKey wipes the new data key, which nothing holds.
   */
  private async generateWrapped(
    provider: KmsKeyProvider,
    keyArn: string,
    table: string,
    signal: AbortSignal | undefined,
  ): Promise<DataKeyMaterial> {
    const material = await provider.generateDataKey(keyArn, table, signal);
    const additional = this.#additionalByArn.get(keyArn) ?? [];
    if (additional.length === 0) return material;
    const own = material.fingerprint;
    let entries: (WrapEntry | undefined)[];
    try {
      entries = await Promise.all(
        additional.map(async ({ provider: other, keyId }) => {
          const arn = await other.resolveKeyArn(keyId, signal);
          const fingerprint = this.fingerprintOf(arn);
          // A replica of the bound multi-region key already reads the bound key's own entry.
          if (fingerprint.equals(own)) return undefined;
          return {
            fingerprint,
            wrappedKey: await other.wrapDataKey(arn, material.plaintextKey, table, signal),
          };
        }),
      );
    } catch (error) {
      material.plaintextKey.fill(0);
      throw error;
    }
    const unique = new Map<string, WrapEntry>();
    for (const entry of entries) {
      if (entry !== undefined) unique.set(entry.fingerprint.toString('hex'), entry);
    }
    return dataKeyMaterial(keyArn, Buffer.from(material.plaintextKey), material.wrappedKey, [
      ...unique.values(),
    ]);
  }

  /**
   * A summary for logs: the options that bind a key (`keyId`, `keys.<name>`), how many retired keys
   * are listed, and the cache's counts. No key ids or ARNs (see printed-summary.ts), no keys.
   *
   * @example
   * ```ts
   * JSON.stringify(binding); // {"keys":["keyId","keys.payments"],"retiredKeys":1,"cache":false}
   * ```
   */
  toJSON(): Record<string, unknown> | false {
    if (this.#provider === undefined) return false;
    let retiredKeys = 0;
    for (const ids of this.#retiredIds.values()) retiredKeys += ids.length;
    return {
      keys: [...this.#keyIds.keys()].map((name) => (name === undefined ? 'keyId' : `keys.${name}`)),
      retiredKeys,
      cache: this.#cache?.toJSON() ?? false,
    };
  }

  [inspect.custom](depth: number, options: InspectOptionsStylized, print: typeof inspect): string {
    const summary = this.toJSON();
    return printedSummary(
      'KeyBinding',
      summary === false ? { kms: false } : summary,
      depth,
      options,
      print,
    );
  }
}

function checkedKeyIds(options: KmsOptions | undefined): Map<string | undefined, string> {
  const ids = new Map<string | undefined, string>();
  if (options === undefined) return ids;
  if (typeof options !== 'object' || options.client === undefined || options.client === null) {
    throw new ValidationError('TheoryDb: kms.client is required when kms is given');
  }
  const check = (id: unknown, where: string): string => {
    if (!isKeyId(id)) {
      throw new ValidationError(`TheoryDb: ${where} must be a non-empty key id, key ARN or alias`);
    }
    return id;
  };
  if (options.keyId !== undefined) ids.set(undefined, check(options.keyId, 'kms.keyId'));
  for (const [name, given] of Object.entries(options.keys ?? {})) {
    const id = typeof given === 'object' && given !== null ? given.keyId : given;
    ids.set(name, check(id, `kms.keys.${name}${typeof given === 'object' ? '.keyId' : ''}`));
  }
  if (
    options.timeoutMs !== undefined &&
    !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)
  ) {
    throw new ValidationError('TheoryDb: kms.timeoutMs must be a positive number of milliseconds');
  }
  return ids;
}

/**
 * The retired key ids of each binding. Each list belongs to a bound key (a retired key without a
 * current one would be a binding that can read but never write) and must not hold that key.
 */
function checkedRetiredIds(
  options: KmsOptions | undefined,
  current: ReadonlyMap<string | undefined, string>,
): Map<string | undefined, readonly string[]> {
  const retired = new Map<string | undefined, readonly string[]>();
  const given = options?.retired;
  if (given === undefined) return retired;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new ValidationError('TheoryDb: kms.retired must be an object { keyId?, keys? }');
  }
  const check = (ids: unknown, keyName: string | undefined, where: string) => {
    if (!Array.isArray(ids))
      throw new ValidationError(`TheoryDb: ${where} must be an array of key ids`);
    const currentId = current.get(keyName);
    if (currentId === undefined) {
      const binding = keyName === undefined ? 'kms.keyId' : `kms.keys.${keyName}`;
      throw new ValidationError(`TheoryDb: ${where} needs a current key in ${binding}`);
    }
    for (const id of ids) {
      if (!isKeyId(id)) {
        throw new ValidationError(
          `TheoryDb: ${where} must hold non-empty key ids, key ARNs or aliases`,
        );
      }
      if (id === currentId) {
        throw new ValidationError(`TheoryDb: ${where} holds the current key of its binding`);
      }
    }
    retired.set(keyName, [...(ids as string[])]);
  };
  if (given.keyId !== undefined) check(given.keyId, undefined, 'kms.retired.keyId');
  if (given.keys !== undefined) {
    if (typeof given.keys !== 'object' || given.keys === null) {
      throw new ValidationError('TheoryDb: kms.retired.keys must be an object of key-id arrays');
    }
    for (const [name, ids] of Object.entries(given.keys)) {
      check(ids, name, `kms.retired.keys.${name}`);
    }
  }
  return retired;
}

/** A key id, key ARN, alias name or alias ARN as far as can be told without KMS: a non-blank string. */
function isKeyId(id: unknown): id is string {
  return typeof id === 'string' && id.trim().length > 0;
}

/**
 * `kms.cache` as `new TheoryDb` takes it: the three bounds only. The cache's `now` is a clock for
 * theorydb's own unit tests; taken from the application, a clock that stands still would keep a
 * data key working past `maxAgeMs` (and after its KMS key is disabled) for up to `maxUses`, which
 * is the cap on `maxAgeMs` undone.
 */
function publicCache(options: KmsOptions): NonNullable<KmsOptions['cache']> {
  const { cache } = options;
  if (typeof cache === 'object' && cache !== null && Object.hasOwn(cache, 'now')) {
    throw new ValidationError(
      'kms.cache: unknown option now; the options are maxAgeMs, maxUses and maxEntries',
    );
  }
  return cache as NonNullable<KmsOptions['cache']>;
}

/**
 * The additional keys of each binding (`kms.additionalKeys`, `kms.keys.<name>.additionalKeys`),
 * checked, with one provider per distinct client (which holds that client's resolved ARNs).
 */
function checkedAdditionalKeys(
  options: KmsOptions | undefined,
): Map<string | undefined, readonly AdditionalWrap[]> {
  const result = new Map<string | undefined, readonly AdditionalWrap[]>();
  if (options === undefined) return result;
  const providers = new Map<unknown, KmsKeyProvider>();
  const check = (given: unknown, keyName: string | undefined, where: string) => {
    if (given === undefined) return;
    if (!Array.isArray(given) || given.length > MAX_ENTRIES - 1) {
      throw new ValidationError(
        `TheoryDb: ${where} must be an array of at most ${MAX_ENTRIES - 1} { client, keyId }`,
      );
    }
    const wraps = (given as unknown[]).map((entry, i): AdditionalWrap => {
      const candidate = entry as Partial<AdditionalKey> | null;
      if (typeof candidate !== 'object' || candidate === null || candidate.client == null) {
        throw new ValidationError(`TheoryDb: ${where}[${i}].client is required`);
      }
      if (!isKeyId(candidate.keyId)) {
        throw new ValidationError(
          `TheoryDb: ${where}[${i}].keyId must be a non-empty key id, key ARN or alias`,
        );
      }
      let provider = providers.get(candidate.client);
      if (provider === undefined) {
        provider = new KmsKeyProvider({ client: candidate.client, timeoutMs: options.timeoutMs });
        providers.set(candidate.client, provider);
      }
      return Object.freeze({ provider, keyId: candidate.keyId });
    });
    if (wraps.length > 0) result.set(keyName, Object.freeze(wraps));
  };
  check(options.additionalKeys, undefined, 'kms.additionalKeys');
  if (options.additionalKeys !== undefined && options.keyId === undefined) {
    throw new ValidationError('TheoryDb: kms.additionalKeys needs a default key in kms.keyId');
  }
  for (const [name, given] of Object.entries(options.keys ?? {})) {
    if (typeof given === 'object' && given !== null) {
      check(given.additionalKeys, name, `kms.keys.${name}.additionalKeys`);
    }
  }
  return result;
}
