import { PEER_KEYS } from '../sections/end-to-end';
import { AWS_KMS_WRAPPED_KEY_BYTES } from '../sections/size';
import type { TargetResult } from './figures';
import { round } from './stats';

/** The figures of a run, `section.key` → value. */
type All = Readonly<Record<string, number>>;

const PEER_NAMES: Record<string, string> = {
  theorydb: 'theorydb',
  rawSdk: 'raw SDK',
  typedorm: 'TypeDORM',
  electrodb: 'ElectroDB',
  toolbox: 'dynamodb-toolbox',
  dynamoose: 'Dynamoose',
};

/** The results as Markdown tables, one per section, then the targets. */
export function renderReport(all: All, targets: readonly TargetResult[]): string {
  const f = (key: string, digits = 0) => format(all[key], digits);
  const parts: string[] = [];
  parts.push(
    '### 1. Library overhead, isolated (instant-answer endpoint, ops/s)',
    table(
      ['operation', 'theorydb', 'raw SDK', 'theorydb / raw'],
      (['save', 'find', 'query'] as const).map((op) => [
        op === 'query' ? 'query (20 items)' : op,
        f(`overhead.${op}.theorydbOpsPerSec`),
        f(`overhead.${op}.rawOpsPerSec`),
        f(`overhead.${op}.ratio`, 2),
      ]),
    ),
    table(
      ['mapping (ops/s)', 'theorydb mapper', '@aws-sdk/util-dynamodb', 'theorydb / SDK'],
      [
        [
          'entity → item',
          f('overhead.toItem.theorydbOpsPerSec'),
          f('overhead.toItem.sdkOpsPerSec'),
          f('overhead.toItem.ratio', 2),
        ],
        [
          'item → entity',
          f('overhead.fromItem.theorydbOpsPerSec'),
          f('overhead.fromItem.sdkOpsPerSec'),
          f('overhead.fromItem.ratio', 2),
        ],
      ],
    ),
    '### 2. Encryption cost (3 @Encrypted fields, data-key cache on, ops/s)',
    table(
      [
        'operation',
        'plaintext',
        'encrypted',
        'encrypted / plaintext',
        'AES-GCM only (µs/op)',
        'ratio if only AES-GCM',
        'SDK carrying envelopes (µs/op)',
        'ceiling (AES + SDK, no theorydb)',
      ],
      (['save', 'find', 'query'] as const).map((op) => [
        op === 'query' ? 'query (20 items)' : op,
        f(`encryption.${op}.plainOpsPerSec`),
        f(`encryption.${op}.encryptedOpsPerSec`),
        f(`encryption.${op}.ratio`, 2),
        f(`encryption.aesFloor.${op}Micros`, 1),
        f(`encryption.aesFloor.${op}Ratio`, 2),
        f(`encryption.wire.${op}Micros`, 1),
        f(`encryption.ceiling.${op}Ratio`, 2),
      ]),
    ),
    '### 3. KMS requests (LocalKms, DynamoDB Local)',
    table(
      ['scenario', 'GenerateDataKey', 'Decrypt', 'DescribeKey', 'DynamoDB requests'],
      [
        kmsRow(
          all,
          `${all['kms.sequentialSaves.count']} sequential saves, cache off`,
          'sequentialSaves.cacheOff',
        ),
        kmsRow(
          all,
          `${all['kms.sequentialSaves.count']} sequential saves, cache on`,
          'sequentialSaves.cacheOn',
        ),
        kmsRow(
          all,
          `${all['kms.concurrentColdSaves.count']} concurrent saves, cold cache`,
          'concurrentColdSaves.cacheOn',
        ),
        kmsRow(
          all,
          `batchSave of ${all['kms.batchSave.count']}, cache off`,
          'batchSave.cacheOff',
          'batchWriteRequests',
        ),
        kmsRow(
          all,
          `batchSave of ${all['kms.batchSave.count']}, cache on`,
          'batchSave.cacheOn',
          'batchWriteRequests',
        ),
        kmsRow(
          all,
          `query of ${all['kms.query.items']} items (${all['kms.query.distinctDataKeys']} data key), cache off`,
          'query.cacheOff',
          'queryRequests',
        ),
        kmsRow(
          all,
          `query of ${all['kms.query.items']} items (${all['kms.query.distinctDataKeys']} data key), cache on`,
          'query.cacheOn',
          'queryRequests',
        ),
      ],
    ),
    '### 4. End to end on DynamoDB Local (ops/s; theorydb / peer in brackets)',
    table(
      ['library', 'put', 'get', `query (${all['e2e.queryItems']} items)`],
      PEER_KEYS.map((key) => [
        PEER_NAMES[key],
        ...(['put', 'get', 'query'] as const).map((op) =>
          key === 'theorydb'
            ? f(`e2e.${op}.theorydbOpsPerSec`, 1)
            : `${f(`e2e.${op}.${key}OpsPerSec`, 1)} (${f(`e2e.${op}.theorydbVs.${key}`, 2)})`,
        ),
      ]),
    ),
    '### 5. Memory: `for await` over a scan',
    table(
      [
        'items',
        'items/s',
        'RSS before (MB)',
        'peak RSS (MB)',
        'RSS growth (MB)',
        'RSS growth, 2nd half (MB)',
        'heap growth (MB)',
      ],
      [
        [
          f('memory.items'),
          f('memory.itemsPerSec'),
          f('memory.baselineRssMb', 1),
          f('memory.peakRssMb', 1),
          f('memory.rssGrowthMb', 1),
          f('memory.secondHalfRssGrowthMb', 1),
          f('memory.heapGrowthMb', 1),
        ],
      ],
    ),
    '### 6. Size',
    table(
      [
        'what',
        'plaintext bytes',
        'stored bytes',
        'added bytes (LocalKms)',
        `added bytes (AWS KMS, ${AWS_KMS_WRAPPED_KEY_BYTES}-byte wrapped key)`,
      ],
      [
        ...[16, 64, 256, 1024].map((n) => [
          `one ${n}-byte string value`,
          String(n),
          f(`size.value.${n}B.storedBytes`),
          f(`size.value.${n}B.addedBytes`),
          f('size.value.addedBytesAwsKms'),
        ]),
        [
          'one order (11 attributes, 3 encrypted)',
          f('size.item.plainBytes'),
          f('size.item.encryptedBytesLocalKms'),
          f('size.item.addedBytesLocalKms'),
          f('size.item.addedBytesAwsKms'),
        ],
      ],
    ),
    '### 7. Start-up (fresh process, medians)',
    table(
      [
        "require('theorydb') (ms)",
        'first repository (ms)',
        'total (ms)',
        "require('@aws-sdk/client-dynamodb') alone (ms)",
      ],
      [
        [
          f('startup.requireMs', 1),
          f('startup.firstRepositoryMs', 2),
          f('startup.totalMs', 1),
          f('startup.sdkRequireMs', 1),
        ],
      ],
    ),
    '### Targets',
    table(
      ['target', 'measured', 'met'],
      targets.map((t) => [t.description, format(t.measured, 2), t.met ? 'yes' : '**no**']),
    ),
  );
  return parts.join('\n\n');
}

function kmsRow(all: All, label: string, prefix: string, requests?: string): string[] {
  const value = (key: string) => format(all[`kms.${prefix}.${key}`], 0);
  return [
    label,
    value('GenerateDataKey'),
    value('Decrypt'),
    value('DescribeKey'),
    requests === undefined ? '' : value(requests),
  ];
}

function format(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return round(value, digits).toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
