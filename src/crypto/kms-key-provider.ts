import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { inspect } from 'node:util';
import { EncryptionError, ValidationError } from '../errors';
import { dataKeyMaterial, type DataKeyMaterial } from './data-key';
import { isAbortError, kmsAbortError, waitUnlessAborted } from './kms-abort';
import { DeadlineExceededError, withDeadline } from './kms-deadline';
import { kmsEncryptionContext } from './kms-encryption-context';
import { toEncryptionError } from './kms-error-mapping';
import { countKmsRequest } from '../observability/telemetry';

/**
 * Options of {@link KmsKeyProvider}.
 *
 * @example
 * ```ts
 * const options: KmsKeyProviderOptions = { client: new KMSClient({ maxAttempts: 2 }), timeoutMs: 2000 };
 * ```
 */
export interface KmsKeyProviderOptions {
  /** The client every KMS call goes through (its retry settings apply within `timeoutMs`). */
  client: KMSClient;
  /** Upper bound of each KMS call, retries included, in milliseconds; default 3000. */
  timeoutMs?: number;
}

/** AES-256 data keys only. */
const DATA_KEY_BYTES = 32;
/** KMS accepts ciphertext blobs of 1 to 6144 bytes; anything else is refused before the call. */
const MAX_WRAPPED_KEY_BYTES = 6144;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[^/\s]+$/;

/**
 * The only code in theorydb that talks to KMS. Three calls, each bounded by `timeoutMs` and each
 * failing with an {@link EncryptionError} (see `toEncryptionError`):
 *
 * - `resolveKeyArn` turns a configured key id, key ARN, alias name or alias ARN into the key ARN,
 *   once per id for the life of the provider. Re-pointing an alias therefore takes effect with a
 *   new provider (a restart), which keeps a running process writing under one key.
 * - `generateDataKey` and `decryptDataKey` wrap and unwrap AES-256 data keys with `KeyId` pinned
 *   to the key ARN and the table's encryption context, and check KMS answered for that very key.
 *   Pinning on Decrypt is what stops a planted wrapped key (made under an attacker's key) from
 *   being accepted.
 *
 * Every call takes the caller's optional `signal` (the operation's `abortSignal`): once it fires,
 * the call rejects at once with an `AbortError` (never a KMS failure code), which the operation
 * reports as `AbortedError`. An already aborted signal sends nothing. A data-key call cancels its
 * own HTTP request; `resolveKeyArn`, whose request is shared, only stops the caller's wait.
 *
 * @example
 * ```ts
 * const provider = new KmsKeyProvider({ client: new KMSClient({}), timeoutMs: 2000 });
 * const keyArn = await provider.resolveKeyArn('alias/users');
 * const key = await provider.generateDataKey(keyArn, 'users');
 * const same = await provider.decryptDataKey(keyArn, key.wrappedKey, 'users');
 * ```
 */
export class KmsKeyProvider {
  readonly #client: KMSClient;
  /** Upper bound of each KMS call, in milliseconds. */
  readonly timeoutMs: number;
  readonly #arns = new Map<string, Promise<string>>();
  /**
   * The ARNs of `#arns` that have resolved: handed out without waiting, so a batch asking once per
   * item adds no abort listener per item.
   */
  readonly #resolved = new Map<string, string>();

  constructor(options: KmsKeyProviderOptions) {
    const timeoutMs = options.timeoutMs ?? 3000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new ValidationError('kms.timeoutMs must be a positive finite number of milliseconds');
    }
    this.#client = options.client;
    this.timeoutMs = timeoutMs;
  }

  /**
   * The key ARN behind `keyId` (key id, key ARN, alias name or alias ARN), from one DescribeKey per
   * `keyId`. Concurrent callers share the request; a success is remembered, a failure is not, so
   * the next call asks KMS again. Errors carry the configured `keyId` as `keyArn`.
   *
   * Because the request is shared, `signal` does not cancel it: an aborted caller stops waiting
   * (rejects with an `AbortError` at once) while the request goes on, within the deadline, for the
   * others, and its answer is remembered as usual. An already aborted signal starts no request.
   *
   * @example
   * ```ts
   * await provider.resolveKeyArn('alias/users'); // 'arn:aws:kms:eu-west-1:111122223333:key/...'
   * ```
   */
  resolveKeyArn(keyId: string, signal?: AbortSignal): Promise<string> {
    if (signal?.aborted) return Promise.reject(kmsAbortError());
    const resolved = this.#resolved.get(keyId);
    if (resolved !== undefined) return Promise.resolve(resolved);
    const known = this.#arns.get(keyId);
    if (known !== undefined) return waitUnlessAborted(known, signal);
    const pending = this.describe(keyId);
    this.#arns.set(keyId, pending);
    pending.then(
      (arn) => {
        if (this.#arns.get(keyId) === pending) this.#resolved.set(keyId, arn);
      },
      () => {
        if (this.#arns.get(keyId) === pending) this.#arns.delete(keyId);
      },
    );
    return waitUnlessAborted(pending, signal);
  }

  /**
   * A fresh AES-256 data key wrapped under `keyArn` for `table`.
   *
   * @example
   * ```ts
   * const key = await provider.generateDataKey(keyArn, 'users');
   * key.plaintextKey.length; // 32
   * ```
   */
  async generateDataKey(
    keyArn: string,
    table: string,
    signal?: AbortSignal,
  ): Promise<DataKeyMaterial> {
    checkKeyArn(keyArn);
    const out = await this.call('GenerateDataKey', keyArn, signal, (abortSignal) =>
      this.#client.send(
        new GenerateDataKeyCommand({
          KeyId: keyArn,
          KeySpec: 'AES_256',
          EncryptionContext: kmsEncryptionContext(table),
        }),
        { abortSignal },
      ),
    );
    const plaintext = out.Plaintext;
    try {
      if (out.KeyId !== keyArn) throw keyNotAllowed('GenerateDataKey', keyArn);
      if (plaintext?.length !== DATA_KEY_BYTES || !out.CiphertextBlob?.length) {
        throw new EncryptionError(
          'KMS_ERROR',
          'KMS GenerateDataKey failed: the response did not hold a 32-byte key and its wrapped copy',
          { keyArn },
        );
      }
      return dataKeyMaterial(keyArn, Buffer.from(plaintext), Buffer.from(out.CiphertextBlob));
    } finally {
      plaintext?.fill(0);
    }
  }

  /**
   * Wraps an existing data key under another KMS key (`Encrypt`, with the same encryption context
   * as `GenerateDataKey`): the extra envelope entry of `kms.additionalKeys`, which a reader bound
   * to that key (in its own region, with its own client) unwraps with `Decrypt`.
   *
   * @throws EncryptionError as {@link generateDataKey}, and `KEY_NOT_ALLOWED` when KMS answers for
   *   another key.
   * @example
   * ```ts
   * const wrapped = await providerB.wrapDataKey(keyArnB, dataKey.plaintextKey, 'users');
   * ```
   */
  async wrapDataKey(
    keyArn: string,
    plaintextKey: Buffer,
    table: string,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    checkKeyArn(keyArn);
    const out = await this.call('Encrypt', keyArn, signal, (abortSignal) =>
      this.#client.send(
        new EncryptCommand({
          KeyId: keyArn,
          Plaintext: plaintextKey,
          EncryptionContext: kmsEncryptionContext(table),
        }),
        { abortSignal },
      ),
    );
    if (out.KeyId !== keyArn) throw keyNotAllowed('Encrypt', keyArn);
    if (!out.CiphertextBlob?.length || out.CiphertextBlob.length > MAX_WRAPPED_KEY_BYTES) {
      throw new EncryptionError('KMS_ERROR', 'KMS Encrypt returned no usable wrapped key', {
        keyArn,
      });
    }
    return Buffer.from(out.CiphertextBlob);
  }

  /**
   * Unwrap a data key that must have been wrapped under `keyArn` for `table`.
   *
   * @example
   * ```ts
   * const key = await provider.decryptDataKey(keyArn, envelope.wrappedKey, 'users');
   * ```
   */
  async decryptDataKey(
    keyArn: string,
    wrappedKey: Buffer,
    table: string,
    signal?: AbortSignal,
  ): Promise<DataKeyMaterial> {
    checkKeyArn(keyArn);
    if (wrappedKey.length < 1 || wrappedKey.length > MAX_WRAPPED_KEY_BYTES) {
      throw new EncryptionError(
        'MALFORMED_CIPHERTEXT',
        `The wrapped data key must be 1 to ${MAX_WRAPPED_KEY_BYTES} bytes; KMS was not called`,
        { keyArn },
      );
    }
    // A copy: the material outlives this call (caches key on it) and the caller owns its buffer.
    const wrapped = Buffer.from(wrappedKey);
    const out = await this.call('Decrypt', keyArn, signal, (abortSignal) =>
      this.#client.send(
        new DecryptCommand({
          KeyId: keyArn,
          CiphertextBlob: wrapped,
          EncryptionContext: kmsEncryptionContext(table),
        }),
        { abortSignal },
      ),
    );
    const plaintext = out.Plaintext;
    try {
      if (out.KeyId !== keyArn) throw keyNotAllowed('Decrypt', keyArn);
      if (plaintext?.length !== DATA_KEY_BYTES) {
        throw new EncryptionError(
          'INTEGRITY',
          'KMS Decrypt returned a data key that is not 32 bytes long',
          { keyArn },
        );
      }
      return dataKeyMaterial(keyArn, Buffer.from(plaintext), wrapped);
    } finally {
      plaintext?.fill(0);
    }
  }

  /**
   * A summary: the client (and the credentials in its configuration) is never printed.
   *
   * @example
   * ```ts
   * JSON.stringify(provider); // {"timeoutMs":3000,"resolvedKeys":1}
   * ```
   */
  toJSON(): Record<string, unknown> {
    return { timeoutMs: this.timeoutMs, resolvedKeys: this.#arns.size };
  }

  [inspect.custom](): string {
    return `KmsKeyProvider ${inspect(this.toJSON())}`;
  }

  private async describe(keyId: string): Promise<string> {
    if (typeof keyId !== 'string' || keyId.length === 0) {
      throw new EncryptionError(
        'ENCRYPTION_NOT_CONFIGURED',
        'The KMS key id must be a non-empty key id, key ARN, alias name or alias ARN',
      );
    }
    // No caller signal: the request is shared by every caller resolving `keyId` (see resolveKeyArn).
    const out = await this.call('DescribeKey', keyId, undefined, (abortSignal) =>
      this.#client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal }),
    );
    const metadata = out.KeyMetadata;
    const arn = metadata?.Arn;
    if (typeof arn !== 'string' || !KEY_ARN.test(arn)) {
      throw new EncryptionError('KMS_ERROR', 'KMS DescribeKey returned no key ARN', {
        keyArn: keyId,
      });
    }
    // Caught here, at first use, rather than as a puzzling failure of the first write.
    const usage = metadata?.KeyUsage;
    const spec = metadata?.KeySpec;
    if (
      (usage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT' ||
      (spec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT'
    ) {
      throw new EncryptionError(
        'KMS_KEY_STATE',
        'The KMS key is not a symmetric encryption key (KeyUsage ENCRYPT_DECRYPT, KeySpec SYMMETRIC_DEFAULT)',
        { keyArn: arn },
      );
    }
    return arn;
  }

  /**
   * One KMS call under the deadline and the caller's `signal`, with every failure but the caller's
   * abort mapped to an EncryptionError. The abort stays an `AbortError`: mapped, it would read as
   * `KMS_UNAVAILABLE`, which callers may retry.
   */
  private async call<T>(
    operation: string,
    keyArn: string,
    signal: AbortSignal | undefined,
    send: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) throw kmsAbortError();
    countKmsRequest(operation);
    try {
      return await withDeadline(this.timeoutMs, send, signal);
    } catch (err) {
      if (signal?.aborted === true && isAbortError(err)) throw kmsAbortError();
      if (err instanceof DeadlineExceededError) {
        throw new EncryptionError(
          'KMS_UNAVAILABLE',
          `KMS ${operation} failed: no answer within ${this.timeoutMs} ms`,
          { keyArn },
          err,
        );
      }
      throw toEncryptionError(err, { keyArn, operation });
    }
  }
}

function checkKeyArn(keyArn: string): void {
  if (typeof keyArn !== 'string' || !KEY_ARN.test(keyArn)) {
    throw new EncryptionError(
      'ENCRYPTION_NOT_CONFIGURED',
      'A data key needs a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); resolve aliases with resolveKeyArn first',
    );
  }
}

function keyNotAllowed(operation: string, keyArn: string): EncryptionError {
  return new EncryptionError(
    'KEY_NOT_ALLOWED',
    `KMS ${operation} answered for a different key than the one requested`,
    { keyArn },
  );
}
