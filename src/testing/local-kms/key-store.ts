import { randomBytes, randomUUID } from 'node:crypto';
import { KmsException, validation } from './kms-exception';

/** The fake AWS account every LocalKms ARN belongs to (the one the AWS documentation uses). */
export const LOCAL_ACCOUNT = '111122223333';

/** The key states LocalKms models: the ones that change what Encrypt and Decrypt do. */
export type LocalKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** One symmetric key. `material` never leaves the server. */
export interface LocalKey {
  readonly keyId: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly creationDate: Date;
  readonly description: string;
  state: LocalKeyState;
  deletionDate: Date | undefined;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

/**
 * Keys and aliases of one LocalKms, and the four ways KMS lets a caller name a key: key id, key
 * ARN, alias name and alias ARN. Keys are never removed: a key scheduled for deletion stays in
 * `PendingDeletion`, as it does in KMS for the whole waiting period.
 */
export class KeyStore {
  private readonly keys = new Map<string, LocalKey>();
  private readonly aliases = new Map<string, string>();

  constructor(readonly region: string) {}

  create(description: string): LocalKey {
    const keyId = randomUUID();
    const key: LocalKey = {
      keyId,
      arn: `${this.arnPrefix()}key/${keyId}`,
      material: randomBytes(32),
      creationDate: new Date(),
      description,
      state: 'Enabled',
      deletionDate: undefined,
    };
    this.keys.set(keyId, key);
    return key;
  }

  createAlias(aliasName: string, targetKeyId: string): void {
    if (!ALIAS_NAME.test(aliasName)) {
      throw validation('AliasName must match alias/[a-zA-Z0-9/_-]+');
    }
    if (aliasName.startsWith('alias/aws/')) {
      throw new KmsException(
        'InvalidAliasNameException',
        'Alias names starting with alias/aws/ are reserved',
      );
    }
    if (this.aliases.has(aliasName)) {
      throw new KmsException('AlreadyExistsException', `Alias ${aliasName} already exists`);
    }
    const key = this.resolveKey(targetKeyId);
    if (key.state === 'PendingDeletion') {
      throw new KmsException('KMSInvalidStateException', `${key.arn} is pending deletion`);
    }
    this.aliases.set(aliasName, key.keyId);
  }

  /** A key by key id, key ARN, alias name or alias ARN; `NotFoundException` otherwise. */
  resolve(keyRef: string): LocalKey {
    const aliasName = this.aliasName(keyRef);
    if (aliasName === undefined) return this.resolveKey(keyRef);
    const keyId = this.aliases.get(aliasName);
    const key = keyId === undefined ? undefined : this.keys.get(keyId);
    if (key === undefined) throw notFound(`Alias ${keyRef} is not found`);
    return key;
  }

  /**
   * A key by key id or key ARN only. The key management operations (EnableKey, DisableKey,
   * ScheduleKeyDeletion, CreateAlias's target) do not accept aliases in KMS either.
   */
  resolveKey(keyRef: string): LocalKey {
    const prefix = `${this.arnPrefix()}key/`;
    const keyId = keyRef.startsWith(prefix) ? keyRef.slice(prefix.length) : keyRef;
    const key = KEY_ID.test(keyId) ? this.keys.get(keyId) : undefined;
    if (key === undefined) throw notFound(`Key ${keyRef} does not exist`);
    return key;
  }

  /** A key by the id stored in a ciphertext blob, without throwing. */
  find(keyId: string): LocalKey | undefined {
    return this.keys.get(keyId);
  }

  /** Throws what KMS throws when a cryptographic operation names a key that cannot be used. */
  assertUsable(key: LocalKey): void {
    if (key.state === 'Disabled') {
      throw new KmsException('DisabledException', `${key.arn} is disabled`);
    }
    if (key.state === 'PendingDeletion') {
      throw new KmsException('KMSInvalidStateException', `${key.arn} is pending deletion`);
    }
  }

  private aliasName(keyRef: string): string | undefined {
    if (keyRef.startsWith('alias/')) return keyRef;
    const prefix = `${this.arnPrefix()}alias/`;
    return keyRef.startsWith(prefix) ? `alias/${keyRef.slice(prefix.length)}` : undefined;
  }

  private arnPrefix(): string {
    return `arn:aws:kms:${this.region}:${LOCAL_ACCOUNT}:`;
  }
}

function notFound(message: string): KmsException {
  return new KmsException('NotFoundException', message);
}
