import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { Encrypted, Entity, PartitionKey, TheoryDb } from '../../src';
import { PlaintextFixtureError, plaintextFixture, type LocalDynamo } from '../../src/testing';
import { expectNoPlaintext, rejectionOf } from '../support/leak-check';
import { sharedDynamo, uniqueTable } from '../support/stack';

// Review of issue 10 (fixture endpoint): plaintextFixture checked the client's endpoint once, at
// its first operation, by calling `client.config.endpoint()` itself. The SDK resolves the
// endpoint again for every request, so a client whose `config.endpoint` is replaced after that
// first check, or an endpoint provider that answers a loopback address only to the check, sent
// plaintext to a host that is not loopback. What counts is the host each request goes to.

const SECRET = 'review-fixture-endpoint-secret-0707';
const AWS_ENDPOINT = 'https://dynamodb.us-east-1.amazonaws.com';

@Entity({ table: uniqueTable('review-fixture-ep'), name: 'ReviewEndpointCredential' })
class ReviewEndpointCredential {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

interface WireRequest {
  hostname: string;
  body: string;
}

/**
 * A client on DynamoDB Local whose request handler, the last thing before the network, records
 * every request's host and body and refuses to send one that is not for 127.0.0.1.
 */
function wireClient(
  dynamo: LocalDynamo,
  endpoint: unknown,
): { client: DynamoDBClient; wire: WireRequest[] } {
  const client = new DynamoDBClient({
    endpoint: endpoint as string,
    region: dynamo.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const wire: WireRequest[] = [];
  const config = client.config as unknown as {
    requestHandler: {
      handle(request: { hostname: string; body: unknown }, options: unknown): unknown;
    };
  };
  const real = config.requestHandler;
  config.requestHandler = Object.assign(Object.create(real) as typeof real, {
    handle(request: { hostname: string; body: unknown }, options: unknown) {
      const { body } = request;
      const text = body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : String(body);
      wire.push({ hostname: request.hostname, body: text });
      if (request.hostname !== '127.0.0.1') {
        return Promise.reject(new Error(`test wire: ${request.hostname} blocked, not sent`));
      }
      return real.handle(request, options);
    },
  });
  return { client, wire };
}

function credential(id: string): ReviewEndpointCredential {
  return Object.assign(new ReviewEndpointCredential(), { id, secret: SECRET });
}

function expectNothingSentElsewhere(wire: readonly WireRequest[]): void {
  const elsewhere = wire.filter((r) => r.hostname !== '127.0.0.1');
  expect(elsewhere.map((r) => r.hostname)).to.deep.equal([]);
  expectNoPlaintext(elsewhere.map((r) => r.body).join('\n'), SECRET, 'a request to another host');
}

describe('review: plaintextFixture checks the host of every request it sends', function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  const clients: DynamoDBClient[] = [];

  before(async () => {
    dynamo = await sharedDynamo();
    await new TheoryDb({ dynamodb: dynamo.client }).createTable(ReviewEndpointCredential);
  });

  after(() => {
    for (const client of clients) client.destroy();
  });

  it('a client whose config.endpoint is replaced after the first operation sends nothing to the new host', async () => {
    const { client, wire } = wireClient(dynamo, dynamo.endpoint);
    clients.push(client);
    const fixture = plaintextFixture(new TheoryDb({ dynamodb: client }), ReviewEndpointCredential, [
      'secret',
    ]);
    await fixture.save(Object.assign(new ReviewEndpointCredential(), { id: 'first', secret: 'x' }));
    expect(wire.map((r) => r.hostname)).to.deep.equal(['127.0.0.1']);

    const aws = new DynamoDBClient({ endpoint: AWS_ENDPOINT, region: 'us-east-1' });
    clients.push(aws);
    (client.config as unknown as { endpoint: unknown }).endpoint = (
      aws.config as unknown as { endpoint: unknown }
    ).endpoint;

    for (const [name, run] of [
      ['save', () => fixture.save(credential('second'))],
      ['batchSave', () => fixture.batchSave([credential('third')])],
      ['update', () => fixture.update({ id: 'first' }, { set: { secret: SECRET } })],
    ] as const) {
      const error = await rejectionOf(run());
      expect(error, name).to.be.instanceOf(PlaintextFixtureError);
      expect((error as PlaintextFixtureError).code, name).to.equal('PLAINTEXT_FIXTURE_REFUSED');
      expect((error as Error).message, name).not.to.contain(SECRET);
    }
    expectNothingSentElsewhere(wire);
  });

  it('an endpoint provider that answers loopback only to the check sends nothing to the other host', async () => {
    let calls = 0;
    const provider = () => {
      calls += 1;
      return Promise.resolve(new URL(calls % 2 === 1 ? dynamo.endpoint : AWS_ENDPOINT));
    };
    const { client, wire } = wireClient(dynamo, provider);
    clients.push(client);
    const fixture = plaintextFixture(new TheoryDb({ dynamodb: client }), ReviewEndpointCredential, [
      'secret',
    ]);
    const error = await rejectionOf(fixture.save(credential('fourth')));
    expect(error).to.be.instanceOf(PlaintextFixtureError);
    expect((error as PlaintextFixtureError).code).to.equal('PLAINTEXT_FIXTURE_REFUSED');
    expect(calls).to.be.greaterThan(1);
    expectNothingSentElsewhere(wire);
  });

  it('a client that stays on loopback keeps working', async () => {
    const { client, wire } = wireClient(dynamo, dynamo.endpoint);
    clients.push(client);
    const fixture = plaintextFixture(new TheoryDb({ dynamodb: client }), ReviewEndpointCredential, [
      'secret',
    ]);
    await fixture.save(credential('fifth'));
    await fixture.batchSave([credential('sixth')]);
    expect((await fixture.get({ id: 'fifth' })).secret).to.equal(SECRET);
    expect(wire.length).to.equal(3);
    expectNothingSentElsewhere(wire);
  });
});
