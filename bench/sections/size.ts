import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseEnvelope } from '../../src/crypto/envelope';
import type { LocalKms } from '../../src/testing';
import { SecretOrder, orderFields, secretOrder } from '../support/entities';
import type { Figures } from '../support/figures';
import { encryptedDb } from '../support/local-kms-db';
import { StubDynamo } from '../support/stub-dynamo';

/**
 * The size of an AWS KMS wrapped data key (the `CiphertextBlob` of GenerateDataKey with KeySpec
 * AES_256) in the AWS CLI's documented example: 167 bytes. LocalKms's blobs are smaller; the
 * figures are recomputed with this size for what production items carry.
 */
export const AWS_KMS_WRAPPED_KEY_BYTES = 167;

/**
 * Section 6: storage. What encryption adds to one value and to one item, measured on envelopes
 * theorydb wrote (with LocalKms's wrapped key), and the same with an AWS KMS wrapped key (see
 * {@link AWS_KMS_WRAPPED_KEY_BYTES}), which is what production items carry. Item sizes follow DynamoDB's rules: attribute
 * name bytes plus value bytes (S: UTF-8, B: raw, N: about one byte per two digits plus one, BOOL: 1).
 */
export async function sizeSection(kms: LocalKms): Promise<Figures> {
  const stub = new StubDynamo();
  const captured = stub.capture('PutItem');
  const repo = encryptedDb(stub.client, kms, { cache: false }).repository(SecretOrder);
  const figures: Figures = {};

  // One value of each size, in one save each: the overhead does not depend on the value.
  const samples = [16, 64, 256, 1024];
  for (const length of samples) {
    await repo.save(Object.assign(secretOrder('size', length), { email: 'x'.repeat(length) }));
  }
  const order = secretOrder('size', 1);
  await repo.save(order);
  stub.client.destroy();
  const items = captured.map((body) => wireItem(body));
  const wrappedKeyBytes = parseEnvelope(binary(items[0].__td)).entries[0].wrappedKey.length;
  figures['envelope.localKmsWrappedKeyBytes'] = wrappedKeyBytes;
  samples.forEach((length, i) => {
    // The item's one envelope seals the email with the order's two other encrypted fields.
    const stored = binary(items[i].__td).length;
    figures[`value.${length}B.storedBytes`] = stored;
    figures[`value.${length}B.addedBytes`] = stored - length;
  });
  const added = figures[`value.${samples[0]}B.addedBytes`];
  figures['value.addedBytesLocalKms'] = added;
  figures['value.addedBytesAwsKms'] = added - wrappedKeyBytes + AWS_KMS_WRAPPED_KEY_BYTES;

  // One item: the order with its three fields in clear, and encrypted.
  const plainSize = itemSize(marshall(orderFields('size', 1)));
  const encryptedSize = itemSize(items[samples.length]);
  figures['item.plainBytes'] = plainSize;
  figures['item.encryptedBytesLocalKms'] = encryptedSize;
  figures['item.addedBytesLocalKms'] = encryptedSize - plainSize;
  figures['item.addedBytesAwsKms'] =
    encryptedSize - plainSize + (AWS_KMS_WRAPPED_KEY_BYTES - wrappedKeyBytes);
  figures['item.encryptedBytesAwsKms'] = plainSize + figures['item.addedBytesAwsKms'];
  // The bound is W + 80, W the wrapped key's length: what the item adds beyond W.
  figures['item.addedBeyondWrappedKey'] = figures['item.addedBytesLocalKms'] - wrappedKeyBytes;
  return figures;
}

type WireValue = Record<string, unknown>;

function wireItem(body: string): Record<string, WireValue> {
  return (JSON.parse(body) as { Item: Record<string, WireValue> }).Item;
}

function binary(value: WireValue): Buffer {
  return Buffer.from(value.B as string, 'base64');
}

/** The size DynamoDB counts for an item, wire or SDK form (binary values as base64 or bytes). */
function itemSize(item: Record<string, WireValue> | Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item as Record<string, WireValue>)) {
    size += Buffer.byteLength(name, 'utf8');
    if (typeof value.S === 'string') size += Buffer.byteLength(value.S, 'utf8');
    else if (typeof value.N === 'string')
      size += Math.ceil(value.N.replace(/[-.]/g, '').length / 2) + 1;
    else if (typeof value.B === 'string') size += Buffer.from(value.B, 'base64').length;
    else if (value.B instanceof Uint8Array) size += value.B.length;
    else if (value.BOOL !== undefined || value.NULL !== undefined) size += 1;
    else throw new Error(`itemSize: unsupported attribute ${name}`);
  }
  return size;
}
