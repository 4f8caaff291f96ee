import { expect } from 'chai';
import type { LocalKms } from '../../../src/testing';
import { uniqueTable } from '../../support/stack';
import { collectErrors } from './support/collected-errors';
import { expectErrorsLeakFree } from './support/error-leaks';
import { bind, measure, newKey, type Key } from './support/kms-requests';
import { TOKENS } from './support/plaintexts';
import { startRetiredKeys } from './support/stack';
import { vaultFixture } from './support/vaults';

// Retired keys are resolved only when a value names them, in the configured order, and fail
// closed (disabled, pending deletion, missing) without touching values under the current key.

const { Vault, VAULT_TABLE, vault } = vaultFixture();

describe('Retired keys: reading under a field’s former keys (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  let kms: LocalKms;
  const { errors, failure } = collectErrors();

  before(async () => {
    ({ kms } = await startRetiredKeys([Vault]));
  });

  describe('retired keys are resolved lazily, and fail closed when they cannot serve', () => {
    let A: Key;
    let B: Key;

    before(async () => {
      A = await newKey('lazy-a');
      B = await newKey('lazy-b');
      await bind({ keyId: A.alias })
        .db.repository(Vault)
        .save(vault('lazy', 'a', 5));
      const writerB = bind({ keyId: B.alias }).db.repository(Vault);
      await writerB.save(vault('lazy', 'b1', 6));
      await writerB.save(vault('lazy', 'b2', 7));
    });

    it('a disabled retired key: values under B read with no request for A; values under A fail KMS_KEY_DISABLED', async () => {
      await kms.disableKey(A.arn);
      try {
        const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
        const repo = reader.db.repository(Vault);
        const [current] = await measure(reader, async () => {
          expect((await repo.get({ owner: 'lazy', id: 'b1' })).token).to.equal(TOKENS[6]);
          expect((await repo.get({ owner: 'lazy', id: 'b2' })).token).to.equal(TOKENS[7]);
        });
        expect(current).to.deep.equal({
          DescribeKey: 1,
          GenerateDataKey: 0,
          Decrypt: 2,
          total: 3,
          describe: [B.alias],
          generate: [],
          decrypt: [B.arn, B.arn],
        });
        // DescribeKey answers for a disabled key (as KMS does); Decrypt is refused by KMS.
        const [old] = await measure(reader, () =>
          failure(repo.find({ owner: 'lazy', id: 'a' }), {
            code: 'KMS_KEY_DISABLED',
            entity: 'Vault',
            field: 'token',
            keyArn: A.arn,
          }),
        );
        expect(old).to.deep.include({ describe: [A.alias], decrypt: [A.arn], GenerateDataKey: 0 });
        expect((await repo.get({ owner: 'lazy', id: 'b1' })).token).to.equal(TOKENS[6]);
      } finally {
        await kms.enableKey(A.arn);
      }
      // Not sticky: enabled again, the retired value reads.
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      expect((await reader.db.repository(Vault).get({ owner: 'lazy', id: 'a' })).token).to.equal(
        TOKENS[5],
      );
    });

    it('a retired key pending deletion: values under it fail KMS_KEY_STATE', async () => {
      const doomed = await newKey('doomed');
      await bind({ keyId: doomed.alias })
        .db.repository(Vault)
        .save(vault('lazy', 'doomed', 5));
      await kms.scheduleDeletion(doomed.arn);
      const reader = bind({ keyId: B.alias, retired: { keyId: [doomed.alias] } });
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Vault).find({ owner: 'lazy', id: 'doomed' }), {
          code: 'KMS_KEY_STATE',
          entity: 'Vault',
          keyArn: doomed.arn,
        }),
      );
      expect(measured).to.deep.include({ decrypt: [doomed.arn], GenerateDataKey: 0 });
    });

    it('a retired alias that does not exist: values under B read untouched; a value naming another key fails KMS_KEY_NOT_FOUND, no Decrypt', async () => {
      const missing = `alias/${uniqueTable('retired-never-created')}`;
      const reader = bind({ keyId: B.alias, retired: { keyId: [missing] } });
      const repo = reader.db.repository(Vault);
      const [current] = await measure(reader, async () => {
        const items = await repo
          .query({ owner: 'lazy' })
          .sortKey((k) => k.beginsWith('b'))
          .all();
        expect(items.map((v) => v.token)).to.deep.equal([TOKENS[6], TOKENS[7]]);
      });
      expect(current).to.deep.include({ describe: [B.alias], decrypt: [B.arn, B.arn] });
      // The value names A; the only retired key cannot be resolved, so whether it is A cannot be
      // known: the read fails with the DescribeKey's code, naming the configured id.
      const [old] = await measure(reader, () =>
        failure(repo.find({ owner: 'lazy', id: 'a' }), {
          code: 'KMS_KEY_NOT_FOUND',
          entity: 'Vault',
          field: 'token',
          keyArn: missing,
        }),
      );
      expect(old).to.deep.equal({
        DescribeKey: 1,
        GenerateDataKey: 0,
        Decrypt: 0,
        total: 1,
        describe: [missing],
        generate: [],
        decrypt: [],
      });
    });

    it('retired keys are tried in the configured order and the search stops at the match', async () => {
      const missing = `alias/${uniqueTable('retired-never-created')}`;
      const first = bind({ keyId: B.alias, retired: { keyId: [A.alias, missing] } });
      const [found] = await measure(first, async () => {
        expect((await first.db.repository(Vault).get({ owner: 'lazy', id: 'a' })).token).to.equal(
          TOKENS[5],
        );
      });
      expect(found).to.deep.include({ describe: [B.alias, A.alias], decrypt: [A.arn] });
      // Listed after an id that cannot be resolved, A is never reached: the read fails closed.
      const second = bind({ keyId: B.alias, retired: { keyId: [missing, A.alias] } });
      const [blocked] = await measure(second, () =>
        failure(second.db.repository(Vault).find({ owner: 'lazy', id: 'a' }), {
          code: 'KMS_KEY_NOT_FOUND',
          keyArn: missing,
        }),
      );
      expect(blocked).to.deep.include({ describe: [B.alias, missing], Decrypt: 0 });
    });
  });

  // Last: mocha runs a suite's own tests before its nested suites, so this one is a suite too.
  describe('what the errors above carry', () => {
    it('no error of this spec holds a plaintext or a ciphertext in any printed form', () =>
      expectErrorsLeakFree(errors, [VAULT_TABLE]));
  });
});
