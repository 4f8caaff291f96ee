import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { metrics, trace, SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { Attribute, Encrypted, Entity, PartitionKey, SortKey, TheoryDb } from '../../src';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { expectNoPlaintext, rejectionOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// OpenTelemetry through @opentelemetry/api, seen with the SDK's in-memory exporters: one span per
// operation with the DynamoDB semantic-convention attributes, counters for KMS requests, cache
// hits and misses and decrypt failures, and never a value, a ciphertext or an item key in any.

const SECRET = 'telemetry-secret-never-in-a-span-4242';
const OWNER_KEY = 'owner-key-value-never-in-a-span';
const TABLE = uniqueTable('otel-credentials');

@Entity({ table: TABLE, name: 'TracedCredential' })
class TracedCredential {
  @PartitionKey() owner!: string;
  @SortKey() service!: string;
  @Attribute() label?: string;
  @Encrypted() secret?: string;
}

function credential(service: string): TracedCredential {
  return Object.assign(new TracedCredential(), {
    owner: OWNER_KEY,
    service,
    label: 'l',
    secret: SECRET,
  });
}

interface Point {
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly value: number;
}

describe('observability: OpenTelemetry spans and metrics', function () {
  this.timeout(60_000);
  const spans = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let keyId: string;
  let db: TheoryDb;
  const stored: string[] = [];

  before(async () => {
    expect(
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
      ),
    ).to.equal(true);
    expect(metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))).to.equal(true);
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    keyId = await kms.createKey();
    db = new TheoryDb({ dynamodb: dynamo.client, kms: { client: kms.client(), keyId } });
    await db.createTable(TracedCredential);
  });

  after(() => {
    trace.disable();
    metrics.disable();
  });

  beforeEach(() => spans.reset());

  async function points(): Promise<Point[]> {
    metricExporter.reset();
    await reader.forceFlush();
    return metricExporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics)
      .filter((scope) => scope.scope.name === 'theorydb')
      .flatMap((scope) => scope.metrics)
      .flatMap((metric) =>
        metric.dataPoints.map((point) => ({
          name: metric.descriptor.name,
          attributes: point.attributes,
          value: point.value as number,
        })),
      );
  }

  function valueOf(all: Point[], name: string, attributes: Record<string, unknown>): number {
    const found = all.find(
      (p) => p.name === name && JSON.stringify(p.attributes) === JSON.stringify(attributes),
    );
    return found?.value ?? 0;
  }

  function theorydbSpans(): ReadableSpan[] {
    return spans.getFinishedSpans().filter((s) => s.instrumentationScope.name === 'theorydb');
  }

  it('gives each operation one client span with the DynamoDB attributes and its counts', async () => {
    const repo = db.repository(TracedCredential);
    await repo.save(credential('github'));
    await repo.save(credential('gitlab'));
    const found = await repo.find({ owner: OWNER_KEY, service: 'github' });
    expect(found?.secret).to.equal(SECRET);
    const listed = await repo.query({ owner: OWNER_KEY }).all();
    expect(listed).to.have.length(2);

    const [save1, save2, find, query] = theorydbSpans();
    expect(theorydbSpans().map((s) => s.name)).to.deep.equal([
      `save ${TABLE}`,
      `save ${TABLE}`,
      `find ${TABLE}`,
      `query ${TABLE}`,
    ]);
    expect(save1.kind).to.equal(2); // SpanKind.CLIENT
    expect(save1.attributes).to.deep.equal({
      'db.system.name': 'aws.dynamodb',
      'aws.dynamodb.table_names': [TABLE],
      'theorydb.operation': 'save',
      'theorydb.entity': 'TracedCredential',
      'theorydb.item_count': 1,
      'theorydb.kms.requests': 1,
    });
    expect(save2.attributes['theorydb.kms.requests']).to.equal(1);
    expect(find.attributes['theorydb.item_count']).to.equal(1);
    expect(find.attributes['theorydb.kms.requests']).to.equal(1);
    expect(query.attributes['theorydb.item_count']).to.equal(2);
    expect(query.attributes['theorydb.kms.requests']).to.equal(2);
    for (const span of theorydbSpans()) expect(span.status.code).to.equal(SpanStatusCode.UNSET);
  });

  it('marks a failed operation with its code, and counts the decrypt failure by code', async () => {
    const before = valueOf(await points(), 'theorydb.decrypt.failures', {
      'error.type': 'INTEGRITY',
    });
    const repo = db.repository(TracedCredential);
    await repo.save(credential('tampered'));
    const item = await dynamo.client.send(
      new PutItemCommand({ TableName: TABLE, Item: tampered(await rawItem('tampered')) }),
    );
    expect(item.$metadata.httpStatusCode).to.equal(200);
    spans.reset();
    const error = await rejectionOf(repo.find({ owner: OWNER_KEY, service: 'tampered' }));
    expect((error as { code?: string }).code).to.equal('INTEGRITY');

    const [span] = theorydbSpans();
    expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'INTEGRITY' });
    expect(span.attributes['error.type']).to.equal('INTEGRITY');
    expect(span.events).to.deep.equal([]);
    const after = valueOf(await points(), 'theorydb.decrypt.failures', {
      'error.type': 'INTEGRITY',
    });
    expect(after - before).to.equal(1);
  });

  it('counts KMS requests by operation, and data-key cache hits and misses', async () => {
    const cached = new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kms.client(), keyId, cache: { maxAgeMs: 60_000, maxUses: 100 } },
    });
    const start = await points();
    const repo = cached.repository(TracedCredential);
    await repo.save(credential('cached-1')); // DescribeKey, GenerateDataKey: a miss
    await repo.save(credential('cached-2')); // a hit
    await repo.find({ owner: OWNER_KEY, service: 'cached-1' }); // seeded by the write: a hit
    const end = await points();
    const delta = (name: string, attributes: Record<string, unknown>) =>
      valueOf(end, name, attributes) - valueOf(start, name, attributes);
    expect(delta('theorydb.kms.requests', { 'aws.kms.operation': 'GenerateDataKey' })).to.equal(1);
    expect(delta('theorydb.kms.requests', { 'aws.kms.operation': 'DescribeKey' })).to.equal(1);
    expect(delta('theorydb.kms.requests', { 'aws.kms.operation': 'Decrypt' })).to.equal(0);
    expect(delta('theorydb.data_key_cache.misses', { 'theorydb.key_purpose': 'encrypt' })).to.equal(
      1,
    );
    expect(delta('theorydb.data_key_cache.hits', { 'theorydb.key_purpose': 'encrypt' })).to.equal(
      1,
    );
    expect(delta('theorydb.data_key_cache.hits', { 'theorydb.key_purpose': 'decrypt' })).to.equal(
      1,
    );
    const saves = theorydbSpans().filter((s) => s.name.startsWith('save'));
    expect(saves.map((s) => s.attributes['theorydb.kms.requests'])).to.deep.equal([1, 0]);
  });

  it('puts no value, ciphertext or item key in any span or metric', async () => {
    const repo = db.repository(TracedCredential);
    await repo.save(credential('leak-check'));
    await repo.find({ owner: OWNER_KEY, service: 'leak-check' });
    await rejectionOf(repo.find({ owner: OWNER_KEY, service: 'tampered' }));
    // v2: the item's envelope `__td`, as base64 (the form a leaked buffer would take in JSON).
    stored.push(Buffer.from((await rawItem('leak-check')).__td.B!).toString('base64'));
    const printed = JSON.stringify({
      spans: spans.getFinishedSpans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status,
        links: s.links,
      })),
      metrics: await points(),
    });
    expectNoPlaintext(printed, SECRET, 'telemetry');
    expect(printed).to.not.include(OWNER_KEY);
    expect(printed).to.not.include('leak-check');
    expect(stored).to.have.length(1);
    for (const envelope of stored) expect(printed).to.not.include(envelope.slice(0, 24));
  });

  async function rawItem(service: string): Promise<Record<string, AttributeValue>> {
    const { GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const out = await dynamo.client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { owner: { S: OWNER_KEY }, service: { S: service } },
        ConsistentRead: true,
      }),
    );
    return out.Item as Record<string, AttributeValue>;
  }
});

/** The item with one byte of its envelope's GCM tag flipped. */
function tampered(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const bytes = Buffer.from(item.__td.B!);
  bytes[bytes.length - 1] ^= 0x01;
  return { ...item, __td: { B: bytes } };
}
