import { keyArn, LOCAL_ACCOUNT, type LocalKey, type MultiRegionFamily } from './key-store';

/**
 * The `KeyMetadata` structure of CreateKey and DescribeKey. Timestamps are epoch seconds, the
 * JSON 1.1 protocol's default, which the SDK turns back into `Date`s.
 */
export function keyMetadata(key: LocalKey): Record<string, unknown> {
  return {
    AWSAccountId: LOCAL_ACCOUNT,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: epochSeconds(key.creationDate),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    ...(key.deletionDate === undefined ? {} : { DeletionDate: epochSeconds(key.deletionDate) }),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: key.multiRegion !== undefined,
    ...(key.multiRegion === undefined
      ? {}
      : { MultiRegionConfiguration: multiRegionConfiguration(key, key.multiRegion) }),
  };
}

/**
 * `MultiRegionConfiguration`: the key's role, its primary and every replica (this one included
 * when it is a replica), as KMS lists them in every region of the family.
 */
function multiRegionConfiguration(
  key: LocalKey,
  family: MultiRegionFamily,
): Record<string, unknown> {
  const entry = (region: string) => ({ Arn: keyArn(region, key.keyId), Region: region });
  return {
    MultiRegionKeyType: key.region === family.primaryRegion ? 'PRIMARY' : 'REPLICA',
    PrimaryKey: entry(family.primaryRegion),
    ReplicaKeys: family.replicaRegions.map(entry),
  };
}

export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
