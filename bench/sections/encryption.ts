import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type AttributeValue, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { TheoryDb } from '../../src';
import { itemAadEncoder } from '../../src/crypto/associated-data';
import { encodeSealedBody } from '../../src/crypto/sealed-body';
import { parseEnvelope } from '../../src/crypto/envelope';
import { encodePlaintext } from '../../src/crypto/plaintext-codec';
import type { LocalKms } from '../../src/testing';
import {
  PlainOrder,
  SecretOrder,
  SignedOrder,
  orderFields,
  plainOrder,
  secretOrder,
} from '../support/entities';
import type { Figures } from '../support/figures';
import { compare, type Contender, medianOps, ratio } from '../support/harness';
import { encryptedDb } from '../support/local-kms-db';
import type { BenchSettings } from '../support/settings';
import { median } from '../support/stats';
import { StubDynamo } from '../support/stub-dynamo';
import { QUERY_ITEMS, rawQuery } from './overhead';

const CUSTOMER = 'customer-000042';
const ENCRYPTED = ['cardToken', 'email', 'phone'] as const;

let sink = 0;

/** A stored item in DynamoDB's JSON wire form (binaries as base64 strings). */
type WireItem = Record<string, Record<string, unknown>>;

/**
 * Section 2: the cost of encryption. The same save, find and query (20 items) on SecretOrder (3
 * `@Encrypted` fields; LocalKms, data-key cache on) and on PlainOrder (the same fields in clear),
 * each on its own instant-answer endpoint. The encrypted answers are items theorydb itself wrote,
 * captured from its PutItem requests. Then what the construction (one sealed envelope per item)
 * must pay: the raw SDK carrying the envelopes instead of the plain values (same requests, no
 * theorydb, no decryption), and AES-256-GCM alone, once per item, over the same sealed body and
 * associated data. Together they give the ceiling: the best encrypted/plaintext ratio this
 * construction could reach on this machine if theorydb itself cost nothing. Last, the query of an
 * entity with two `@Signed` attributes and no encrypted one against the same entity unsigned.
 */
export async function encryptionSection(settings: BenchSettings, kms: LocalKms): Promise<Figures> {
  const plainStub = new StubDynamo();
  const secretStub = new StubDynamo();
  const plainRepo = new TheoryDb({ dynamodb: plainStub.client }).repository(PlainOrder);
  const secretRepo = encryptedDb(secretStub.client, kms, { cache: true }).repository(SecretOrder);

  // The encrypted page: QUERY_ITEMS items sealed by theorydb, captured on their way out.
  const captured = secretStub.capture('PutItem');
  for (let n = 0; n < QUERY_ITEMS; n += 1) await secretRepo.save(secretOrder(CUSTOMER, n));
  secretStub.stopCapture();
  const secretItems = captured.map((body) => (JSON.parse(body) as { Item: WireItem }).Item);
  const plainItems = Array.from({ length: QUERY_ITEMS }, (_, n) =>
    marshall(orderFields(CUSTOMER, n)),
  );
  for (const [stub, items] of [
    [plainStub, plainItems],
    [secretStub, secretItems],
  ] as const) {
    stub.respond('PutItem', {});
    stub.respond('GetItem', { Item: items[1] });
    stub.respond('Query', { Items: items, Count: items.length, ScannedCount: items.length });
  }

  const plainEntity = plainOrder(CUSTOMER, 1);
  const secretEntity = secretOrder(CUSTOMER, 1);
  const key = { customerId: CUSTOMER, orderId: plainEntity.orderId };
  const { rounds, warmup, ops, queryOps } = settings.cpu;
  const figures: Figures = {};
  /** Runs the encrypted and plain contenders of one operation side by side. */
  const sideBySide = (name: string, plain: Contender['batch'], encrypted: Contender['batch']) =>
    compare(
      [
        { name: 'encrypted', batch: encrypted },
        { name: 'plain', batch: plain },
      ],
      { rounds, warmup, ops: name === 'query' ? queryOps : ops },
    );
  const pair = async (name: string, plain: Contender['batch'], encrypted: Contender['batch']) => {
    const measured = await sideBySide(name, plain, encrypted);
    figures[`${name}.plainOpsPerSec`] = medianOps(measured, 'plain');
    figures[`${name}.encryptedOpsPerSec`] = medianOps(measured, 'encrypted');
    figures[`${name}.ratio`] = ratio(measured, 'encrypted', 'plain');
  };
  await pair(
    'save',
    async (n) => {
      for (let i = 0; i < n; i += 1) await plainRepo.save(plainEntity);
    },
    async (n) => {
      for (let i = 0; i < n; i += 1) await secretRepo.save(secretEntity);
    },
  );
  await pair(
    'find',
    async (n) => {
      for (let i = 0; i < n; i += 1) sink += (await plainRepo.find(key))?.total ?? 0;
    },
    async (n) => {
      for (let i = 0; i < n; i += 1) sink += (await secretRepo.find(key))?.total ?? 0;
    },
  );
  const partition = { customerId: CUSTOMER };
  await pair(
    'query',
    async (n) => {
      for (let i = 0; i < n; i += 1) sink += (await plainRepo.query(partition).all()).length;
    },
    async (n) => {
      for (let i = 0; i < n; i += 1) sink += (await secretRepo.query(partition).all()).length;
    },
  );

  // Signed, not encrypted: the same query of items carrying an envelope that binds two signed
  // attributes (one AES-GCM call over no plaintext per item) against the plain items.
  const signedStub = new StubDynamo();
  const signedRepo = encryptedDb(signedStub.client, kms, { cache: true }).repository(SignedOrder);
  const signedCaptured = signedStub.capture('PutItem');
  for (let n = 0; n < QUERY_ITEMS; n += 1) {
    await signedRepo.save(Object.assign(new SignedOrder(), orderFields(CUSTOMER, n)));
  }
  signedStub.stopCapture();
  const signedItems = signedCaptured.map((body) => (JSON.parse(body) as { Item: WireItem }).Item);
  signedStub.respond('Query', {
    Items: signedItems,
    Count: signedItems.length,
    ScannedCount: signedItems.length,
  });
  const signedMeasured = await sideBySide(
    'query',
    async (n) => {
      for (let i = 0; i < n; i += 1) sink += (await plainRepo.query(partition).all()).length;
    },
    async (n) => {
      for (let i = 0; i < n; i += 1) sink += (await signedRepo.query(partition).all()).length;
    },
  );
  figures['signedQuery.plainOpsPerSec'] = medianOps(signedMeasured, 'plain');
  figures['signedQuery.signedOpsPerSec'] = medianOps(signedMeasured, 'encrypted');
  figures['signedQuery.ratio'] = ratio(signedMeasured, 'encrypted', 'plain');
  signedStub.client.destroy();

  // The wire: the raw SDK with the stored encrypted items against the plain ones.
  const wireSecret = secretItems.map(fromWire);
  const wire = async (name: string, plain: Contender['batch'], encrypted: Contender['batch']) => {
    const measured = await sideBySide(name, plain, encrypted);
    // From the median of per-round ratios (paired, so the machine's drift cancels), not from the
    // difference of two medians, which noise can make negative.
    const plainMicros = 1e6 / medianOps(measured, 'plain');
    figures[`wire.${name}Micros`] = plainMicros * (1 / ratio(measured, 'encrypted', 'plain') - 1);
  };
  const put = (stub: StubDynamo, item: Record<string, AttributeValue>) => async (n: number) => {
    for (let i = 0; i < n; i += 1) {
      await stub.client.send(new PutItemCommand({ TableName: 'bench', Item: item }));
    }
  };
  const get = (stub: StubDynamo) => async (n: number) => {
    for (let i = 0; i < n; i += 1) {
      const out = await stub.client.send(
        new GetItemCommand({ TableName: 'bench', Key: marshall(key) }),
      );
      sink += Object.keys(unmarshall(out.Item ?? {})).length;
    }
  };
  const query = (stub: StubDynamo) => async (n: number) => {
    for (let i = 0; i < n; i += 1) sink += (await rawQuery(stub.client, CUSTOMER)).length;
  };
  await wire('save', put(plainStub, plainItems[1]), put(secretStub, wireSecret[1]));
  await wire('find', get(plainStub), get(secretStub));
  await wire('query', query(plainStub), query(secretStub));

  // The floor: one AES-256-GCM seal (or open) per item envelope, same body, same associated data.
  const values = secretItems.map((item) => sealedValue(item));
  const perItem = 1;
  const floor = aesFloor(values, settings);
  figures['aesFloor.saveMicros'] = floor.sealMicros * perItem;
  figures['aesFloor.findMicros'] = floor.openMicros * perItem;
  figures['aesFloor.queryMicros'] = floor.openMicros * perItem * QUERY_ITEMS;
  for (const name of ['save', 'find', 'query'] as const) {
    const plainMicros = 1e6 / figures[`${name}.plainOpsPerSec`];
    const aesMicros = figures[`aesFloor.${name}Micros`];
    // The ratio encryption would reach if it cost nothing but AES-GCM.
    figures[`aesFloor.${name}Ratio`] = plainMicros / (plainMicros + aesMicros);
    // ... and if it cost nothing but AES-GCM and the SDK's carrying of the envelopes.
    const wireMicros = Math.max(0, figures[`wire.${name}Micros`]);
    figures[`ceiling.${name}Ratio`] = plainMicros / (plainMicros + wireMicros + aesMicros);
  }
  plainStub.client.destroy();
  secretStub.client.destroy();
  return figures;
}

/** A stored item from its wire form back to AttributeValues (binaries as bytes), as a caller sends it. */
function fromWire(item: WireItem): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [
      name,
      typeof value.B === 'string'
        ? { B: Buffer.from(value.B, 'base64') }
        : (value as unknown as AttributeValue),
    ]),
  );
}

/** One stored envelope: its sealed body, associated data, nonce and ciphertext. */
interface SealedValue {
  readonly plaintext: Buffer;
  readonly aad: Buffer;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

function sealedValue(item: WireItem): SealedValue {
  const envelope = parseEnvelope(Buffer.from(item.__td.B as string, 'base64'));
  const aad = itemAadEncoder({
    table: 'bench-secret-orders',
    entity: 'SecretOrder',
    envelope: '__td',
    partitionKey: 'customerId',
    sortKey: 'orderId',
    signed: [],
  })(envelope.header, fromWire(item));
  const fields = orderFields(CUSTOMER, 0) as unknown as Record<string, unknown>;
  return {
    plaintext: encodeSealedBody(
      ENCRYPTED.map((attribute) => ({
        attribute,
        plaintext: encodePlaintext(fields[attribute]),
      })),
    ),
    aad,
    nonce: envelope.nonce,
    ciphertext: envelope.ciphertext,
    tag: envelope.tag,
  };
}

/** Microseconds per AES-256-GCM seal and per open of these values, medians of several batches. */
function aesFloor(values: readonly SealedValue[], settings: BenchSettings) {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  // The opens need real ciphertexts under `key`: seal each value once.
  const sealed = values.map((value) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    cipher.setAAD(value.aad);
    const ciphertext = Buffer.concat([cipher.update(value.plaintext), cipher.final()]);
    return { ...value, ciphertext, tag: cipher.getAuthTag() };
  });
  const rounds = settings.cpu.rounds;
  const count = Math.max(1, Math.round(settings.cpu.mapOps / values.length));
  const seal = [];
  const open = [];
  for (let round = 0; round < rounds; round += 1) {
    let started = performance.now();
    for (let i = 0; i < count; i += 1) {
      for (const value of sealed) {
        const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
        cipher.setAAD(value.aad);
        sink += cipher.update(value.plaintext).length + cipher.final().length;
        sink += cipher.getAuthTag().length;
      }
    }
    seal.push(((performance.now() - started) * 1000) / (count * sealed.length));
    started = performance.now();
    for (let i = 0; i < count; i += 1) {
      for (const value of sealed) {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
        decipher.setAuthTag(value.tag);
        decipher.setAAD(value.aad);
        sink += decipher.update(value.ciphertext).length + decipher.final().length;
      }
    }
    open.push(((performance.now() - started) * 1000) / (count * sealed.length));
  }
  return { sealMicros: median(seal), openMicros: median(open) };
}

/** Read by nobody; keeps the sink observable. */
export function encryptionSink(): number {
  return sink;
}
