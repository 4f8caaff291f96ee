import { PEER_KEYS } from '../sections/end-to-end';
import type { Target } from './figures';

const OPS = ['put', 'get', 'query'] as const;

/** The targets, as checks on figure keys. */
export const TARGETS: readonly Target[] = [
  target(
    'overhead.save',
    'theorydb save >= 0.85x the raw SDK (plain entity, isolated)',
    'overhead.save.ratio',
    'atLeast',
    0.85,
  ),
  target(
    'overhead.find',
    'theorydb find >= 0.85x the raw SDK (plain entity, isolated)',
    'overhead.find.ratio',
    'atLeast',
    0.85,
  ),
  target(
    'overhead.query',
    'theorydb query (20 items) >= 0.80x the raw SDK (isolated)',
    'overhead.query.ratio',
    'atLeast',
    0.8,
  ),
  ...(['save', 'find', 'query'] as const).map((op) =>
    target(
      `encryption.${op}`,
      `encrypted ${op} (3 fields, cache on) >= 0.70x plaintext`,
      `encryption.${op}.ratio`,
      'atLeast',
      0.7,
    ),
  ),
  ...(
    [
      ['save', 0.8],
      ['find', 0.8],
      ['query', 0.65],
    ] as const
  ).map(([op, threshold]) =>
    target(
      `itemProtection.${op}`,
      `format v2: encrypted ${op} (3 fields, cache on) >= ${threshold.toFixed(2)}x plaintext`,
      `encryption.${op}.ratio`,
      'atLeast',
      threshold,
    ),
  ),
  target(
    'itemProtection.signedQuery',
    'format v2: 20-item query of an entity with 2 @Signed attributes >= 0.85x unsigned',
    'encryption.signedQuery.ratio',
    'atLeast',
    0.85,
  ),
  target(
    'itemProtection.bytes',
    'format v2: bytes added to the order item <= W + 80 (W: the wrapped key)',
    'size.item.addedBeyondWrappedKey',
    'atMost',
    80,
  ),
  target(
    'kms.sequential',
    '1,000 sequential saves, cache on: <= 1 GenerateDataKey',
    'kms.sequentialSaves.cacheOn.GenerateDataKey',
    'atMost',
    1,
  ),
  target(
    'kms.concurrent',
    '200 concurrent cold saves, cache on: exactly 1 GenerateDataKey',
    'kms.concurrentColdSaves.cacheOn.GenerateDataKey',
    'equal',
    1,
  ),
  target(
    'kms.batchOff',
    'batchSave of 1,000, cache off: <= 1 GenerateDataKey per BatchWriteItem',
    'kms.batchSave.cacheOff.GenerateDataKeyPerBatchRequest',
    'atMost',
    1,
  ),
  target(
    'kms.batchOn',
    'batchSave of 1,000, cache on: <= 1 GenerateDataKey in all',
    'kms.batchSave.cacheOn.GenerateDataKey',
    'atMost',
    1,
  ),
  target(
    'kms.queryOff',
    'query of 1,000 items, cache off: <= 1 Decrypt per distinct data key',
    'kms.query.cacheOff.DecryptPerDistinctKey',
    'atMost',
    1,
  ),
  target(
    'kms.queryOn',
    'query of 1,000 items, cache on: <= 1 Decrypt per distinct data key',
    'kms.query.cacheOn.DecryptPerDistinctKey',
    'atMost',
    1,
  ),
  ...OPS.flatMap((op) =>
    PEER_KEYS.filter((key) => key !== 'theorydb').map((key) =>
      key === 'rawSdk'
        ? target(
            `e2e.${op}.rawSdk`,
            `${op}: theorydb within 10% of the raw SDK`,
            `e2e.${op}.theorydbVs.rawSdk`,
            'atLeast',
            0.9,
          )
        : target(
            `e2e.${op}.${key}`,
            `${op}: theorydb at least as fast as ${key}`,
            `e2e.${op}.theorydbVs.${key}`,
            'atLeast',
            1,
          ),
    ),
  ),
  target(
    'memory.scan',
    'scan of 100,000 items: RSS growth < 64 MB',
    'memory.rssGrowthMb',
    'atMost',
    64,
  ),
];

function target(
  id: string,
  description: string,
  figure: string,
  comparison: Target['comparison'],
  threshold: number,
): Target {
  return { id, description, figure, comparison, threshold };
}
