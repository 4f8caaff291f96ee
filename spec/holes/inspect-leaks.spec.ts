import { expect } from 'chai';
import { hkdfSync } from 'node:crypto';
import { inspect, type InspectOptions } from 'node:util';
import type { KMSClient } from '@aws-sdk/client-kms';
import {
  Attribute,
  Encrypted,
  Entity,
  Index,
  PartitionKey,
  SortKey,
  TheoryDb,
  type Repository,
} from '../../src';
import { DataKeyCache } from '../../src/crypto/data-key-cache';
import { DataKeyScope } from '../../src/crypto/data-key-scope';
import { KmsKeyProvider } from '../../src/crypto/kms-key-provider';
import { KeyBinding } from '../../src/repository/key-binding';
import { expectNoPlaintext, rejectionOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Hole 8 of issue 10: `console.log(db)` and `console.log(repo)` printed the cursorKey bytes, and
// a query builder printed its whole repository context (cursor key, clients, key binding). Every
// object a user can get hold of must print, and serialise, a summary naming its table and entity,
// and nothing secret: no cursor key, no data key, no plaintext, no key values.

const SECRET = 'inspect-hole-secret-must-never-print-0808';
const PARTITION = 'partition-value-not-printed-0808';
const TABLE = uniqueTable('hole-inspect');

@Entity({ table: TABLE, name: 'InspectCredential' })
class InspectCredential {
  @PartitionKey() owner!: string;
  @SortKey() id!: string;
  @Index('byService', { partition: true }) @Attribute() service?: string;
  @Encrypted() secret?: string;
}

/** Every text form a byte string takes in a log line or a serialised object. */
function byteForms(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes);
  const hex = buffer.toString('hex');
  const spaced = [...buffer.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const decimal = [...buffer.subarray(0, 8)].join(', ');
  return [
    hex,
    hex.toUpperCase(),
    buffer.toString('base64'),
    buffer.toString('base64url'),
    buffer.subarray(0, 12).toString('base64'),
    spaced, // <Buffer 01 02 ...>
    decimal, // Uint8Array(32) [ 1, 2, ... ] and JSON's {"0":1,"1":2} reads "1,2"
    [...buffer.subarray(0, 8)].join(','),
  ];
}

function expectNoBytes(text: string, bytes: Uint8Array, what: string, where: string): void {
  for (const form of byteForms(bytes)) {
    expect(text.includes(form), `${where} holds the ${what} (as ${JSON.stringify(form)})`).to.equal(
      false,
    );
  }
}

const DEEP: InspectOptions = { depth: Infinity, showHidden: true };
// What console.dir does: it skips util.inspect.custom, so only unreadable state is safe from it.
const RAW: InspectOptions = { depth: Infinity, showHidden: true, customInspect: false };

describe('hole 8: util.inspect and JSON.stringify print no secrets', function () {
  this.timeout(60_000);

  // A known cursor key, and the key cursors are really sealed with (HKDF of it, see cursor.ts).
  const cursorKey = Buffer.from(Array.from({ length: 32 }, (_, i) => 0xc0 + i));
  const cursorCipherKey = Buffer.from(
    hkdfSync('sha256', cursorKey, Buffer.alloc(0), Buffer.from('theorydb:cursor\0'), 32),
  );
  const dataKeys: Buffer[] = [];
  let db: TheoryDb;
  let repo: Repository<InspectCredential>;
  let kmsClient: KMSClient;
  let keyArn: string;

  before(async () => {
    const dynamo = await sharedDynamo();
    const kms = await sharedKms();
    keyArn = await kms.createKey();
    kmsClient = kms.client();
    captureDataKeys(kmsClient, dataKeys);
    db = new TheoryDb({
      dynamodb: dynamo.client,
      // The cache keeps plaintext data keys alive in the db between operations.
      kms: { client: kmsClient, keyId: keyArn, cache: { maxAgeMs: 60_000, maxUses: 100 } },
      cursorKey,
    });
    await db.createTable(InspectCredential);
    repo = db.repository(InspectCredential);
    for (const id of ['c1', 'c2', 'c3']) {
      await repo.save(
        Object.assign(new InspectCredential(), {
          owner: PARTITION,
          id,
          service: 'mail',
          secret: SECRET,
        }),
      );
    }
    const back = await repo.get({ owner: PARTITION, id: 'c1' });
    expect(back.secret).to.equal(SECRET);
    // A second db that must unwrap the data key: a Decrypt answer lands in its cache too.
    const reader = new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kmsClient, keyId: keyArn, cache: { maxAgeMs: 60_000, maxUses: 100 } },
      cursorKey,
    });
    expect(
      (await reader.repository(InspectCredential).get({ owner: PARTITION, id: 'c2' })).secret,
    ).to.equal(SECRET);
    expect(dataKeys.length).to.be.greaterThan(0);
  });

  /**
   * Fails when any printed or serialised form of `value` holds a secret. For library objects
   * (`summary`) also a key value, and even with util.inspect.custom skipped (`console.dir`):
   * their state must be unreadable. Entities show their plain attributes, keys included, and skip
   * redaction under `customInspect: false` by Node's design (docs/threat-model.md).
   */
  function expectSecretFree(value: unknown, where: string, summary = true): void {
    const texts: Record<string, string> = {
      inspect: inspect(value),
      deep: inspect(value, DEEP),
      string: safeString(value),
    };
    if (summary) texts.raw = inspect(value, RAW);
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    if (json !== undefined) texts.json = json;
    for (const [form, text] of Object.entries(texts)) {
      const at = `${where} (${form})`;
      expectNoBytes(text, cursorKey, 'cursor key', at);
      expectNoBytes(text, cursorCipherKey, 'derived cursor key', at);
      for (const key of dataKeys) expectNoBytes(text, key, 'data key', at);
      expectNoPlaintext(text, SECRET, at);
      if (summary) expectNoPlaintext(text, PARTITION, at);
    }
  }

  /** The inspect form and the JSON form both name the table and the entity. */
  function expectNamed(value: unknown, heading: string): void {
    const shown = inspect(value, DEEP);
    expect(shown.startsWith(heading), shown.slice(0, 200)).to.equal(true);
    expect(shown).to.include(TABLE);
    expect(shown).to.include('InspectCredential');
    const json = JSON.stringify(value);
    expect(json).to.include(TABLE);
    expect(json).to.include('InspectCredential');
  }

  it('the TheoryDb prints a summary of its entities, never its cursor key', () => {
    expectSecretFree(db, 'db');
    expectNamed(db, 'TheoryDb {');
    expect(inspect(db)).to.not.include(keyArn);
  });

  it('the Repository prints its table and entity', () => {
    expectSecretFree(repo, 'repo');
    expectNamed(repo, 'Repository<InspectCredential> {');
    expect(inspect(repo)).to.equal(
      `Repository<InspectCredential> { table: '${TABLE}', entity: 'InspectCredential' }`,
    );
    expectSecretFree(repo.metadata, 'repo.metadata');
  });

  it('query builders print their table, entity and index, never the partition value', () => {
    const query = repo.query({ owner: PARTITION });
    const refined = query
      .sortKey((k) => k.beginsWith('c'))
      .filter((c) => c.exists('secret'))
      .reverse()
      .limit(2)
      .select('id', 'secret');
    const byIndex = repo.query({ service: 'mail' }).index('byService');
    for (const [where, builder] of Object.entries({ query, refined, byIndex })) {
      expectSecretFree(builder, where);
      expectNamed(builder, 'QueryBuilder<InspectCredential> {');
    }
    expect(inspect(byIndex)).to.include("index: 'byService'");
  });

  it('scan builders print their table and entity', () => {
    const scan = repo.scan();
    const parallel = scan.segments(2).filter((c) => c.exists('secret'));
    for (const [where, builder] of Object.entries({ scan, parallel })) {
      expectSecretFree(builder, where);
      expectNamed(builder, 'ScanBuilder<InspectCredential> {');
    }
  });

  it('a transaction builder holding a saved entity prints only names and a count', async () => {
    const entity = Object.assign(new InspectCredential(), {
      owner: PARTITION,
      id: 'tx',
      secret: SECRET,
    });
    let seen: { deep: string; json: string } | undefined;
    await db.transaction((tx) => {
      tx.save(entity);
      expectSecretFree(tx, 'tx');
      expectNamed(tx, 'TransactionBuilder {');
      seen = { deep: inspect(tx, DEEP), json: JSON.stringify(tx) };
    });
    expect(seen?.deep).to.include('actions: 1');
    expect((await repo.get({ owner: PARTITION, id: 'tx' })).secret).to.equal(SECRET);
  });

  it('what reads return prints no secret: pages, entities, errors', async () => {
    const page = await repo.query({ owner: PARTITION }).page({ size: 1 });
    expect(page.cursor).to.be.a('string');
    expectSecretFree(page, 'page', false);
    expectSecretFree(await repo.find({ owner: PARTITION, id: 'c1' }), 'entity', false);
    expectSecretFree(await repo.scan().all(), 'scan result', false);
    expectSecretFree(await rejectionOf(repo.get({ owner: PARTITION, id: 'none' })), 'NotFound');
    const [fromTx] = await db.transactFind([[InspectCredential, { owner: PARTITION, id: 'c2' }]]);
    expectSecretFree(fromTx, 'transactFind', false);
  });

  it('the internals a TheoryDb holds print no key material either', async () => {
    const provider = new KmsKeyProvider({ client: kmsClient });
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 10 });
    const scope = new DataKeyScope(provider, cache);
    const material = await scope.encryptionKey(keyArn, TABLE);
    const binding = new KeyBinding({
      client: kmsClient,
      keyId: keyArn,
      cache: { maxAgeMs: 60_000, maxUses: 10 },
    });
    await binding.keyArn(undefined, { entity: 'InspectCredential', field: 'secret' });
    const unscoped = new DataKeyScope(provider);
    const unwrapped = await unscoped.decryptionKey(keyArn, TABLE, material.wrappedKey);
    const texts = [provider, cache, scope, unscoped, material, unwrapped, binding].flatMap((x) => [
      inspect(x, DEEP),
      JSON.stringify(x),
    ]);
    for (const text of texts) {
      expectNoBytes(text, material.plaintextKey, 'data key', text.slice(0, 40));
      // A key ARN is not secret, but a summary has no use for the account and key id.
      expect(text, text.slice(0, 80)).to.not.include(keyArn);
    }
    expect(inspect(binding, DEEP)).to.match(/^KeyBinding \{/);
    expect(inspect(material, DEEP)).to.include('[REDACTED]');
  });
});

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '';
  }
}

/** Keeps a copy of every plaintext data key KMS answers (before theorydb wipes its buffer). */
function captureDataKeys(client: KMSClient, into: Buffer[]): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const plaintext = (result.output as { Plaintext?: Uint8Array }).Plaintext;
      if (plaintext !== undefined) into.push(Buffer.from(plaintext));
      return result;
    },
    { step: 'initialize', name: 'inspectHoleDataKeys' },
  );
}
