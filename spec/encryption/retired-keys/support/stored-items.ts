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

/** The envelope an encrypted attribute of the stored item holds. */
export async function envelopeOf(
  table: string,
  key: Record<string, AttributeValue>,
  attribute: string,
): Promise<ParsedEnvelope> {
  const value = (await rawItem(table, key))[attribute]?.B;
  expect(value, `${attribute} is stored as B`).to.be.instanceOf(Uint8Array);
  return parseEnvelope(Buffer.from(value!));
}

/** Fails unless every fingerprint is `key`'s. */
export function expectSealedUnder(fingerprints: readonly Buffer[], key: Key): void {
  const expected = keyFingerprint(key.arn).toString('hex');
  expect(fingerprints.map((f) => f.toString('hex'))).to.deep.equal(
    fingerprints.map(() => expected),
  );
}
