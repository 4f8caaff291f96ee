// `npm start`: theorydb end to end on the embedded local stack (DynamoDB Local + LocalKms).
// Saves an encrypted credential, shows what DynamoDB actually stores (one sealed envelope per
// item, `__td`, and no attribute under an encrypted field's name), reads it back, and then walks
// through the ways reads fail closed when the stored item was tampered with.
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { EncryptionError, TheoryDb } from '../src';
import { localStack, type LocalStack } from '../src/testing';
import { Credential } from './credential';

async function main(): Promise<void> {
  console.log('Starting DynamoDB Local and LocalKms ...');
  const stack = await localStack();
  try {
    await stack.kms.createKey({ alias: 'alias/demo-secrets' });
    const db = new TheoryDb({
      dynamodb: stack.dynamo.client,
      kms: { client: stack.kms.client(), keyId: 'alias/demo-secrets' },
    });
    await db.createTable(Credential);
    const credentials = db.repository(Credential);

    section('1. Save a credential');
    const credential = Object.assign(new Credential(), {
      id: 'cred-1',
      owner: 'alice',
      service: 'payments-api',
      secret: 'sk_live_4f9a2c-demo',
      recoveryCodes: ['r-1111', 'r-2222'],
    });
    await credentials.save(credential);
    console.log(`saved ${credential.id}, version ${credential.version}`);

    section('2. What DynamoDB stores');
    const raw = await rawItem(stack, 'cred-1');
    for (const [name, value] of Object.entries(raw))
      console.log(`  ${name.padEnd(14)} ${show(value)}`);
    const hidden = ['secret', 'recoveryCodes'].filter((name) => !Object.hasOwn(raw, name));
    console.log(`  no attribute named: ${hidden.join(', ')} (sealed in __td)`);

    section('3. find() decrypts');
    const loaded = await credentials.get({ id: 'cred-1' });
    console.log(`  secret:        ${loaded.secret}`);
    console.log(`  recoveryCodes: ${loaded.recoveryCodes?.join(', ')}`);

    section('4. Logging the entity redacts encrypted fields');
    console.log(loaded);
    console.log(`  JSON: ${JSON.stringify(loaded)}`);

    section('5. Fail closed');
    const unkeyed = new TheoryDb({ dynamodb: stack.dynamo.client });
    await expectFailure('a client without a KMS key', () =>
      unkeyed.repository(Credential).find({ id: 'cred-1' }),
    );

    const stored = await rawItem(stack, 'cred-1');
    const tampered = Buffer.from(stored.__td.B!);
    tampered[tampered.length - 20] ^= 0x01;
    await putRaw(stack, { ...stored, __td: { B: tampered } });
    await expectFailure('a tampered envelope (one bit flipped)', () =>
      credentials.find({ id: 'cred-1' }),
    );

    await credentials.save(
      Object.assign(new Credential(), {
        id: 'cred-2',
        owner: 'bob',
        service: 'mail',
        secret: 'bobs-secret',
      }),
    );
    const bob = await rawItem(stack, 'cred-2');
    await putRaw(stack, { ...stored, __td: bob.__td });
    await expectFailure("an envelope moved from another item (bob's into cred-1)", () =>
      credentials.find({ id: 'cred-1' }),
    );

    await putRaw(stack, { ...stored, owner: { S: 'mallory' } });
    await expectFailure('a @Signed attribute changed (owner alice -> mallory)', () =>
      credentials.find({ id: 'cred-1' }),
    );

    const { __td: _envelope, ...withoutEnvelope } = stored;
    await putRaw(stack, withoutEnvelope);
    await expectFailure('the envelope deleted', () => credentials.find({ id: 'cred-1' }));

    await stack.kms.disableKey('alias/demo-secrets');
    await expectFailure('the KMS key disabled', () => credentials.find({ id: 'cred-2' }));
    await stack.kms.enableKey('alias/demo-secrets');

    await putRaw(stack, { ...stored, secret: { S: 'sk_live_injected-plaintext' } });
    await expectFailure("plaintext planted under an encrypted field's name", () =>
      credentials.find({ id: 'cred-1' }),
    );

    await putRaw(stack, stored);
    const restored = await credentials.get({ id: 'cred-1' });
    console.log(`  the genuine item put back reads again: secret ${restored.secret}`);
    console.log('\nEvery failure above is a typed EncryptionError; none returned a value.');
  } finally {
    await stack.stop();
  }
}

function section(title: string): void {
  console.log(`\n${title}`);
}

function show(value: AttributeValue): string {
  if (value.B !== undefined) {
    return `B  ${Buffer.from(value.B).subarray(0, 12).toString('hex')}... (${value.B.byteLength} bytes)`;
  }
  if (value.S !== undefined) return `S  ${value.S}`;
  if (value.N !== undefined) return `N  ${value.N}`;
  return JSON.stringify(value);
}

// The demo plays the attacker with its own raw client: write access to the table, none to KMS.
async function rawItem(stack: LocalStack, id: string): Promise<Record<string, AttributeValue>> {
  const out = await stack.dynamo.client.send(
    new GetItemCommand({ TableName: 'demo-credentials', Key: { id: { S: id } } }),
  );
  return out.Item ?? {};
}

async function putRaw(stack: LocalStack, item: Record<string, AttributeValue>): Promise<void> {
  await stack.dynamo.client.send(new PutItemCommand({ TableName: 'demo-credentials', Item: item }));
}

async function expectFailure(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
    throw new Error(`demo: ${what} did not fail`);
  } catch (error) {
    if (!(error instanceof EncryptionError)) throw error;
    console.log(`  ${what.padEnd(58)} -> ${error.code}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
