import type * as OpenTelemetry from '@opentelemetry/api';

/**
 * OpenTelemetry for theorydb: one span per repository operation and a few counters, through
 * `@opentelemetry/api` when the application has it installed (an optional peer dependency), and
 * nothing at all otherwise. Without an SDK registered the API itself is a no-op.
 *
 * What is recorded is names and counts only, exactly as for the logger: the operation, the table,
 * the entity, how many items and KMS requests, and error codes. Never a value, a ciphertext, an
 * item key or an error message (messages are value-free by contract; codes are enough to alert on).
 */

const api = loadApi();

function loadApi(): typeof OpenTelemetry | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@opentelemetry/api') as typeof OpenTelemetry;
  } catch {
    return undefined;
  }
}

const SCOPE = 'theorydb';

/** What names a repository operation in its span. */
export interface OperationTelemetry {
  readonly operation: string;
  /** The table, or the tables of a transaction joined with commas (names cannot hold one). */
  readonly table: string;
  readonly entity: string;
}

/** What an operation reports when it ends. */
export interface OperationOutcome {
  readonly itemCount?: number;
  readonly kmsRequests?: number;
  readonly code?: string;
}

/** The span of one operation; `end` is called exactly once. */
export interface OperationSpan {
  end(outcome: OperationOutcome): void;
}

const NO_SPAN: OperationSpan = { end: () => undefined };

/**
 * Runs `body` inside a client span named `<operation> <table>`, active for its duration so that
 * the AWS SDK's own instrumentation nests under it.
 */
export function inOperationSpan<R>(
  where: OperationTelemetry,
  body: (span: OperationSpan) => Promise<R>,
): Promise<R> {
  if (api === undefined) return body(NO_SPAN);
  const otel = api;
  const tracer = otel.trace.getTracer(SCOPE);
  return tracer.startActiveSpan(
    `${where.operation} ${where.table}`,
    {
      kind: otel.SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'aws.dynamodb',
        'aws.dynamodb.table_names': where.table.split(','),
        'theorydb.operation': where.operation,
        'theorydb.entity': where.entity,
      },
    },
    (span) => {
      let ended = false;
      return body({
        end(outcome) {
          if (ended) return;
          ended = true;
          if (outcome.itemCount !== undefined) {
            span.setAttribute('theorydb.item_count', outcome.itemCount);
          }
          span.setAttribute('theorydb.kms.requests', outcome.kmsRequests ?? 0);
          if (outcome.code !== undefined) {
            span.setAttribute('error.type', outcome.code);
            span.setStatus({ code: otel.SpanStatusCode.ERROR, message: outcome.code });
          }
          span.end();
        },
      });
    },
  );
}

/** How many items an operation's result holds, for its span: entities, a page, or a count. */
export function itemCountOf(result: unknown): number | undefined {
  if (Array.isArray(result)) return result.filter((item) => item !== undefined).length;
  if (typeof result === 'number') return result;
  if (result === undefined) return 0;
  const items = (result as { items?: unknown }).items;
  if (Array.isArray(items)) return items.length;
  return typeof result === 'object' && result !== null ? 1 : undefined;
}

interface Instruments {
  readonly provider: OpenTelemetry.MeterProvider;
  readonly kmsRequests: OpenTelemetry.Counter;
  readonly cacheHits: OpenTelemetry.Counter;
  readonly cacheMisses: OpenTelemetry.Counter;
  readonly decryptFailures: OpenTelemetry.Counter;
}

let instruments: Instruments | undefined;

/**
 * The counters of the current global meter provider. The metrics API has no proxy provider (the
 * trace API has one): instruments made before the application registers its SDK would stay
 * no-ops, so they are made again whenever the provider changes.
 */
function counters(): Instruments | undefined {
  if (api === undefined) return undefined;
  const provider = api.metrics.getMeterProvider();
  if (instruments?.provider !== provider) {
    const meter = provider.getMeter(SCOPE);
    instruments = {
      provider,
      kmsRequests: meter.createCounter('theorydb.kms.requests', {
        description: 'KMS requests theorydb made, by KMS operation',
      }),
      cacheHits: meter.createCounter('theorydb.data_key_cache.hits', {
        description: 'Data keys served by the data-key cache',
      }),
      cacheMisses: meter.createCounter('theorydb.data_key_cache.misses', {
        description: 'Data keys the data-key cache had to ask KMS for',
      }),
      decryptFailures: meter.createCounter('theorydb.decrypt.failures', {
        description: 'Reads that failed to decrypt an item, by error code',
      }),
    };
  }
  return instruments;
}

/** One KMS request: `GenerateDataKey`, `Decrypt` or `DescribeKey`. */
export function countKmsRequest(operation: string): void {
  counters()?.kmsRequests.add(1, { 'aws.kms.operation': operation });
}

/** One lookup of the data-key cache, for encryption or decryption. */
export function countCacheLookup(purpose: 'encrypt' | 'decrypt', hit: boolean): void {
  const found = counters();
  (hit ? found?.cacheHits : found?.cacheMisses)?.add(1, { 'theorydb.key_purpose': purpose });
}

/** One read that failed to decrypt, by the `EncryptionError` code. */
export function countDecryptFailure(code: string): void {
  counters()?.decryptFailures.add(1, { 'error.type': code });
}
