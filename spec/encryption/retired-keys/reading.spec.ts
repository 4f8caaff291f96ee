import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import type { StreamImage } from '../../../src';
import type { LocalDynamo, LocalKms } from '../../../src/testing';
import { collectErrors } from './support/collected-errors';
import { expectErrorsLeakFree } from './support/error-leaks';
import { bind, measure, newKey, type Key } from './support/kms-requests';
import { RECOVERY, TOKENS } from './support/plaintexts';
import { startRetiredKeys } from './support/stack';
import { expectSealedUnder, rawItem } from './support/stored-items';
import { vaultFixture, vaultKey } from './support/vaults';

// A value sealed under the retired key of its binding: every read path accepts it, with Decrypt
// pinned to that key, while writes (and a client without the retired key) never use it.

const { Vault, VAULT_TABLE, vault, vaultFingerprints } = vaultFixture();
type Vault = InstanceType<typeof Vault>;

describe('Retired keys: reading under a field’s former keys (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  const { errors, failure } = collectErrors();

  before(async () => {
    ({ dynamo, kms } = await startRetiredKeys([Vault]));
  });

  describe('a value under the retired key of its binding', () => {
    let A: Key;
    let B: Key;

    before(async () => {
      A = await newKey('a');
      B = await newKey('b');
      const writer = bind({ keyId: A.alias }).db.repository(Vault);
      await writer.save(vault('one', 'v1', 0));
      await writer.save(vault('one', 'v2', 1));
      expectSealedUnder(await vaultFingerprints('one', 'v1'), A);
      expectSealedUnder(await vaultFingerprints('one', 'v2'), A);
    });

    it('reads with one DescribeKey per key and one Decrypt pinned to the retired key ARN; save re-seals it under the current key', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      const [read, found] = await measure(reader, () => repo.find({ owner: 'one', id: 'v1' }));
      const loaded = found ?? expect.fail('find returned undefined');
      expect(loaded).to.be.instanceOf(Vault);
      expect([loaded.token, loaded.recovery, loaded.version]).to.deep.equal([
        TOKENS[0],
        RECOVERY[0],
        1,
      ]);
      // The current key is resolved first, then the retired one the envelope names; both fields
      // share the save's data key, unwrapped once, under A.
      expect(read).to.deep.equal({
        DescribeKey: 2,
        GenerateDataKey: 0,
        Decrypt: 1,
        total: 3,
        describe: [B.alias, A.alias],
        generate: [],
        decrypt: [A.arn],
      });

      const [write] = await measure(reader, () => repo.save(loaded));
      expect(write).to.deep.equal({
        DescribeKey: 0,
        GenerateDataKey: 1,
        Decrypt: 0,
        total: 1,
        describe: [],
        generate: [B.arn],
        decrypt: [],
      });
      expect(loaded.version).to.equal(2);
      expectSealedUnder(await vaultFingerprints('one', 'v1'), B);
      expect((await rawItem(VAULT_TABLE, vaultKey('one', 'v1'))).version?.N).to.equal('2');

      // The migrated value reads under B; the other value, still under A, under A (no second
      // DescribeKey for A: the client resolved it once).
      const [again] = await measure(reader, async () => {
        expect((await repo.get({ owner: 'one', id: 'v1' })).token).to.equal(TOKENS[0]);
        expect((await repo.get({ owner: 'one', id: 'v2' })).token).to.equal(TOKENS[1]);
      });
      expect(again.DescribeKey).to.equal(0);
      expect(again.decrypt).to.deep.equal([B.arn, A.arn]);
    });

    it('a client bound to the new key only reads the migrated item and refuses the other: KEY_NOT_ALLOWED, no Decrypt', async () => {
      // v1 was migrated by the previous test: checked, so a failure there is not reported here.
      expectSealedUnder(await vaultFingerprints('one', 'v1'), B);
      expectSealedUnder(await vaultFingerprints('one', 'v2'), A);
      const current = bind({ keyId: B.alias });
      const repo = current.db.repository(Vault);
      const [migrated] = await measure(current, async () => {
        expect((await repo.get({ owner: 'one', id: 'v1' })).recovery).to.equal(RECOVERY[0]);
      });
      expect(migrated).to.deep.include({ DescribeKey: 1, Decrypt: 1, decrypt: [B.arn] });
      const [refused] = await measure(current, () =>
        failure(repo.find({ owner: 'one', id: 'v2' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Vault',
          field: 'token',
          keyArn: B.arn,
        }),
      );
      expect(refused).to.deep.equal({
        DescribeKey: 0,
        GenerateDataKey: 0,
        Decrypt: 0,
        total: 0,
        describe: [],
        generate: [],
        decrypt: [],
      });
    });

    it('every read path accepts it: get, batchFind, transactFind, query, scan and fromStreamImage', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.arn] } });
      const repo = reader.db.repository(Vault);
      const key = { owner: 'one', id: 'v2' };
      const image = (await rawItem(VAULT_TABLE, vaultKey('one', 'v2'))) as StreamImage;
      const reads: [string, () => Promise<Vault | undefined>][] = [
        ['get', () => repo.get(key)],
        ['batchFind', async () => (await repo.batchFind([key]))[0]],
        ['transactFind', async () => (await reader.db.transactFind([[Vault, key]] as const))[0]],
        [
          'query',
          async () => (await repo.query({ owner: 'one' }).all()).find((v) => v.id === 'v2'),
        ],
        [
          'scan',
          async () =>
            (
              await repo
                .scan()
                .filter((c) => c.eq('owner', 'one'))
                .all()
            ).find((v) => v.id === 'v2'),
        ],
        ['fromStreamImage', () => repo.fromStreamImage(image)],
      ];
      for (const [name, read] of reads) {
        const [measured, found] = await measure(reader, read);
        expect([name, found?.token, found?.recovery]).to.deep.equal([name, TOKENS[1], RECOVERY[1]]);
        expect(measured.generate, name).to.deep.equal([]);
        expect(measured.decrypt, name).to.include(A.arn);
      }
    });

    it('with the data-key cache, a retired data key is cached like any other (one Decrypt, pinned to A)', async () => {
      const reader = bind({
        keyId: B.alias,
        retired: { keyId: [A.alias] },
        cache: { maxAgeMs: 60_000, maxUses: 100 },
      });
      const repo = reader.db.repository(Vault);
      const [measured] = await measure(reader, async () => {
        for (let i = 0; i < 3; i += 1) {
          expect((await repo.get({ owner: 'one', id: 'v2' })).token).to.equal(TOKENS[1]);
        }
      });
      expect(measured).to.deep.include({ DescribeKey: 2, Decrypt: 1, decrypt: [A.arn] });
    });

    it('writes never use a retired key: with the current key disabled, a save fails KMS_KEY_DISABLED and nothing is written', async () => {
      const C = await newKey('c');
      const reader = bind({ keyId: C.alias, retired: { keyId: [A.alias, B.alias] } });
      const repo = reader.db.repository(Vault);
      const loaded = await repo.get({ owner: 'one', id: 'v2' });
      await kms.disableKey(C.arn);
      try {
        const [measured] = await measure(reader, () =>
          failure(repo.save(loaded), {
            code: 'KMS_KEY_DISABLED',
            entity: 'Vault',
            keyArn: C.arn,
          }),
        );
        expect(measured).to.deep.include({ DescribeKey: 0, Decrypt: 0, generate: [C.arn] });
        const [fresh] = await measure(reader, () =>
          failure(repo.save(vault('one', 'never-written', 2)), {
            code: 'KMS_KEY_DISABLED',
            keyArn: C.arn,
          }),
        );
        expect(fresh).to.deep.include({ DescribeKey: 0, Decrypt: 0, generate: [C.arn] });
      } finally {
        await kms.enableKey(C.arn);
      }
      expectSealedUnder(await vaultFingerprints('one', 'v2'), A);
      const absent = await dynamo.client.send(
        new GetItemCommand({
          TableName: VAULT_TABLE,
          Key: vaultKey('one', 'never-written'),
          ConsistentRead: true,
        }),
      );
      expect(absent.Item).to.equal(undefined);
    });
  });

  // Last: mocha runs a suite's own tests before its nested suites, so this one is a suite too.
  describe('what the errors above carry', () => {
    it('no error of this spec holds a plaintext or a ciphertext in any printed form', () =>
      expectErrorsLeakFree(errors, [VAULT_TABLE]));
  });
});
