import { DataKeyCache } from '../crypto/data-key-cache';
import { DataKeyScope } from '../crypto/data-key-scope';
import { KmsKeyProvider } from '../crypto/kms-key-provider';
import { EncryptionError, ValidationError } from '../errors';
import type { KmsOptions } from './kms-options';

/**
 * The strict key resolver: maps an `@Encrypted` field's key name to the key bound at
 * construction, and nothing else. A named key never falls back to the default key, and a field
 * whose key is not bound cannot be used at all.
 */
export class KeyBinding {
  private readonly provider: KmsKeyProvider | undefined;
  private readonly cache: DataKeyCache | undefined;
  private readonly keyIds: ReadonlyMap<string | undefined, string>;

  constructor(options: KmsOptions | undefined) {
    this.keyIds = checkedKeyIds(options);
    this.provider =
      options === undefined
        ? undefined
        : new KmsKeyProvider({ client: options.client, timeoutMs: options.timeoutMs });
    this.cache = options?.cache === undefined ? undefined : new DataKeyCache(options.cache);
  }

  /** True when the field's key (a name, or undefined for the default key) is bound. */
  isBound(keyName: string | undefined): boolean {
    return this.provider !== undefined && this.keyIds.has(keyName);
  }

  /** Describes what is not bound, for `ENCRYPTION_NOT_CONFIGURED` messages. */
  describeMissing(keyName: string | undefined): string {
    if (this.provider === undefined) return 'the client has no kms binding';
    return keyName === undefined ? 'kms.keyId is not set' : `kms.keys.${keyName} is not set`;
  }

  /** The ARN of the field's key, resolved once per key id (DescribeKey). */
  async keyArn(
    keyName: string | undefined,
    context: { entity: string; field: string },
  ): Promise<string> {
    const keyId = this.keyIds.get(keyName);
    if (this.provider === undefined || keyId === undefined) {
      throw new EncryptionError(
        'ENCRYPTION_NOT_CONFIGURED',
        `${context.entity}.${context.field} is encrypted but ${this.describeMissing(keyName)}`,
        context,
      );
    }
    try {
      return await this.provider.resolveKeyArn(keyId);
    } catch (error) {
      throw error instanceof EncryptionError ? error.withContext(context) : error;
    }
  }

  /** A data-key scope for one operation. */
  newScope(): DataKeyScope {
    if (this.provider === undefined) {
      throw new EncryptionError('ENCRYPTION_NOT_CONFIGURED', 'the client has no kms binding');
    }
    return new DataKeyScope(this.provider, this.cache);
  }
}

function checkedKeyIds(options: KmsOptions | undefined): Map<string | undefined, string> {
  const ids = new Map<string | undefined, string>();
  if (options === undefined) return ids;
  if (typeof options !== 'object' || options.client === undefined || options.client === null) {
    throw new ValidationError('TheoryDb: kms.client is required when kms is given');
  }
  const check = (id: unknown, where: string): string => {
    if (typeof id !== 'string' || id.trim().length === 0) {
      throw new ValidationError(`TheoryDb: ${where} must be a non-empty key id, key ARN or alias`);
    }
    return id;
  };
  if (options.keyId !== undefined) ids.set(undefined, check(options.keyId, 'kms.keyId'));
  for (const [name, id] of Object.entries(options.keys ?? {})) {
    ids.set(name, check(id, `kms.keys.${name}`));
  }
  if (
    options.timeoutMs !== undefined &&
    !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)
  ) {
    throw new ValidationError('TheoryDb: kms.timeoutMs must be a positive number of milliseconds');
  }
  return ids;
}
