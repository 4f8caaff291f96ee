import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { parseEnvelope, type ParsedEnvelope } from '../../../../src/crypto/envelope';
import { keyFingerprint } from '../../../../src/crypto/key-fingerprint';
import type { Key } from './kms-requests';
import { stack } from './stack';

// What DynamoDB Local holds, read past the library: which key an envelope was sealed under is
// checked on the stored bytes, not on what a read returns.

/** The stored item, read consistently; fails when there is none. */
export async function rawItem(
  table: string,
  key: Record<string, AttributeValue>,
): Promise<Record<string, AttributeValue>> {
  const out = await stack().dynamo.client.send(
    new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
  );
  expect(out.Item, 'the item is stored').to.not.equal(undefined);
  return out.Item!;
}

/** The envelope of the stored item under `attribute` (`__td`, or `__td:<key name>`). */
export async function envelopeOf(
  table: string,
  key: Record<string, AttributeValue>,
  attribute = '__td',
): Promise<ParsedEnvelope> {
  const value = (await rawItem(table, key))[attribute]?.B;
  expect(value, `${attribute} is stored as B`).to.be.instanceOf(Uint8Array);
  return parseEnvelope(Buffer.from(value!));
}

/** The fingerprint of the key that sealed an envelope: its first entry's (the writer's bound key). */
export function sealingFingerprint(envelope: ParsedEnvelope): Buffer {
  return envelope.entries[0].fingerprint;
}

/** Fails unless every fingerprint is `key`'s. */
export function expectSealedUnder(fingerprints: readonly Buffer[], key: Key): void {
  const expected = keyFingerprint(key.arn).toString('hex');
  expect(fingerprints.map((f) => f.toString('hex'))).to.deep.equal(
    fingerprints.map(() => expected),
  );
}
