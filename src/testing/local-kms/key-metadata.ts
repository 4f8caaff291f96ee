import { LOCAL_ACCOUNT, type LocalKey } from './key-store';

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
    MultiRegion: false,
  };
}

export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
