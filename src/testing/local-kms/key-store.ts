import { randomBytes, randomUUID } from 'node:crypto';
import { KmsException, validation } from './kms-exception';
import { Partition } from './partition';

/** The fake AWS account every LocalKms ARN belongs to (the one the AWS documentation uses). */
export const LOCAL_ACCOUNT = '111122223333';

/** The key states LocalKms models: the ones that change what Encrypt and Decrypt do. */
export type LocalKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/**
 * The shared part of a multi-region key: the primary's region and the replica regions, in the
 * order they were created. One object is shared by the primary and every replica (they live in
 * one process), so DescribeKey in any region lists the current replicas.
 */
export interface MultiRegionFamily {
  readonly primaryRegion: string;
  readonly replicaRegions: string[];
}

/**
 * One symmetric key. `material` never leaves the server; the replicas of a multi-region key hold
 * the same material under the same key id, each with its own state, description and aliases.
 */
export interface LocalKey {
  readonly keyId: string;
  readonly region: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly creationDate: Date;
  readonly description: string;
  /** Set for multi-region keys (primary and replicas) only. */
  readonly multiRegion: MultiRegionFamily | undefined;
  state: LocalKeyState;
  deletionDate: Date | undefined;
}

/** A single-region key id (a UUID) or a multi-region one (`mrk-` and 32 hex digits). */
const KEY_ID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
/** A region id as AWS spells them (`us-east-1`); LocalKms accepts any in this shape. */
export const REGION = /^[a-z0-9-]+$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

/** The ARN of key `keyId` in `region` of the LocalKms account. */
export function keyArn(region: string, keyId: string): string {
  return `arn:aws:kms:${region}:${LOCAL_ACCOUNT}:key/${keyId}`;
}

/**
 * Keys and aliases of one LocalKms (one region), and the four ways KMS lets a caller name a key:
 * key id, key ARN, alias name and alias ARN. Keys are never removed: a key scheduled for deletion
 * stays in `PendingDeletion`, as it does in KMS for the whole waiting period.
 */
export class KeyStore {
  private readonly keys = new Map<string, LocalKey>();
  private readonly aliases = new Map<string, string>();

  constructor(
    readonly region: string,
    /** The regions ReplicateKey can reach; a store of its own when the instance has no peers. */
    readonly partition: Partition = new Partition(),
  ) {}

  /** A new key; a multi-region one is the primary of its family, with no replicas yet. */
  create(description: string, multiRegion = false): LocalKey {
    const keyId = multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
    const family = multiRegion ? { primaryRegion: this.region, replicaRegions: [] } : undefined;
    return this.add(keyId, randomBytes(32), description, family);
  }

  /**
   * ReplicateKey, answered in the primary's region: a replica of the primary `keyRef` (key id or
   * ARN) in the store of `replicaRegion`, with the same key id and material. Every check runs
   * before anything is created, so a refused request leaves no half-made replica.
   */
  replicate(keyRef: string, replicaRegion: string, description: string): LocalKey {
    if (!REGION.test(replicaRegion))
      throw validation(`ReplicaRegion ${replicaRegion} is not valid`);
    const primary = this.resolveKey(keyRef);
    const family = primary.multiRegion;
    if (family === undefined) {
      throw new KmsException('UnsupportedOperationException', `${primary.arn} is not multi-Region`);
    }
    if (family.primaryRegion !== this.region) {
      throw new KmsException(
        'UnsupportedOperationException',
        `${primary.arn} is a replica key; replicate its primary key in ${family.primaryRegion}`,
      );
    }
    if (primary.state === 'PendingDeletion') {
      throw new KmsException('KMSInvalidStateException', `${primary.arn} is pending deletion`);
    }
    if (replicaRegion === this.region) {
      throw validation('ReplicaRegion must differ from the region of the primary key');
    }
    const target = this.partition.store(replicaRegion);
    if (target === undefined) {
      throw new KmsException(
        'UnsupportedOperationException',
        `No running LocalKms for region ${replicaRegion} in this partition (see LocalKms.start peer)`,
      );
    }
    if (target.keys.has(primary.keyId)) {
      throw new KmsException(
        'AlreadyExistsException',
        `${keyArn(replicaRegion, primary.keyId)} already exists`,
      );
    }
    family.replicaRegions.push(replicaRegion);
    return target.add(primary.keyId, primary.material, description, family);
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

  private add(
    keyId: string,
    material: Buffer,
    description: string,
    multiRegion: MultiRegionFamily | undefined,
  ): LocalKey {
    const key: LocalKey = {
      keyId,
      region: this.region,
      arn: keyArn(this.region, keyId),
      material,
      creationDate: new Date(),
      description,
      multiRegion,
      state: 'Enabled',
      deletionDate: undefined,
    };
    this.keys.set(keyId, key);
    return key;
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
