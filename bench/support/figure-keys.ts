import { PEER_KEYS, type PeerKey } from '../sections/end-to-end';

const CRUD = ['save', 'find', 'query'] as const;
const E2E = ['put', 'get', 'query'] as const;
const KMS = ['GenerateDataKey', 'Decrypt', 'DescribeKey'] as const;

/** The end-to-end figures of one peer: its ops/s and, but for theorydb, theorydb's ratio to it. */
export function peerFigureKeys(peer: PeerKey): string[] {
  return E2E.flatMap((op) => [
    `e2e.${op}.${peer}OpsPerSec`,
    ...(peer === 'theorydb' ? [] : [`e2e.${op}.theorydbVs.${peer}`]),
  ]);
}

/**
 * Every figure a complete run reports, `section.key`. The smoke test checks each is present and a
 * finite number; a full run warns about any that is missing.
 */
export const EXPECTED_FIGURES: readonly string[] = [
  ...CRUD.flatMap((op) => [
    `overhead.${op}.theorydbOpsPerSec`,
    `overhead.${op}.rawOpsPerSec`,
    `overhead.${op}.ratio`,
  ]),
  ...['toItem', 'fromItem'].flatMap((op) => [
    `overhead.${op}.theorydbOpsPerSec`,
    `overhead.${op}.sdkOpsPerSec`,
    `overhead.${op}.ratio`,
  ]),
  ...CRUD.flatMap((op) => [
    `encryption.${op}.plainOpsPerSec`,
    `encryption.${op}.encryptedOpsPerSec`,
    `encryption.${op}.ratio`,
    `encryption.aesFloor.${op}Micros`,
    `encryption.aesFloor.${op}Ratio`,
    `encryption.wire.${op}Micros`,
    `encryption.ceiling.${op}Ratio`,
  ]),
  'encryption.signedQuery.plainOpsPerSec',
  'encryption.signedQuery.signedOpsPerSec',
  'encryption.signedQuery.ratio',
  'kms.sequentialSaves.count',
  'kms.concurrentColdSaves.count',
  'kms.batchSave.count',
  ...[
    'sequentialSaves.cacheOff',
    'sequentialSaves.cacheOn',
    'concurrentColdSaves.cacheOn',
    'batchSave.cacheOff',
    'batchSave.cacheOn',
    'query.cacheOff',
    'query.cacheOn',
  ].flatMap((scenario) => KMS.map((op) => `kms.${scenario}.${op}`)),
  'kms.batchSave.cacheOff.batchWriteRequests',
  'kms.batchSave.cacheOn.batchWriteRequests',
  'kms.batchSave.cacheOff.GenerateDataKeyPerBatchRequest',
  'kms.query.items',
  'kms.query.distinctDataKeys',
  'kms.query.cacheOff.itemsRead',
  'kms.query.cacheOn.itemsRead',
  'kms.query.cacheOff.queryRequests',
  'kms.query.cacheOn.queryRequests',
  'kms.query.cacheOff.DecryptPerDistinctKey',
  'kms.query.cacheOn.DecryptPerDistinctKey',
  'e2e.queryItems',
  ...E2E.flatMap((op) => [
    ...PEER_KEYS.map((key) => `e2e.${op}.${key}OpsPerSec`),
    ...PEER_KEYS.filter((key) => key !== 'theorydb').map((key) => `e2e.${op}.theorydbVs.${key}`),
  ]),
  ...[
    'items',
    'pages',
    'itemsPerSec',
    'baselineRssMb',
    'peakRssMb',
    'rssGrowthMb',
    'secondHalfRssGrowthMb',
    'heapGrowthMb',
  ].map((key) => `memory.${key}`),
  'size.envelope.localKmsWrappedKeyBytes',
  ...[16, 64, 256, 1024].flatMap((n) => [
    `size.value.${n}B.storedBytes`,
    `size.value.${n}B.addedBytes`,
  ]),
  'size.value.addedBytesLocalKms',
  'size.value.addedBytesAwsKms',
  'size.item.plainBytes',
  'size.item.encryptedBytesLocalKms',
  'size.item.addedBytesLocalKms',
  'size.item.addedBytesAwsKms',
  'size.item.encryptedBytesAwsKms',
  'size.item.addedBeyondWrappedKey',
  ...['requireMs', 'firstRepositoryMs', 'totalMs', 'sdkRequireMs'].map((key) => `startup.${key}`),
];
