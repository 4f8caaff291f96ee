import { expect } from 'chai';
import { collectErrors } from './support/collected-errors';
import { expectErrorsLeakFree } from './support/error-leaks';
import { bind, measure, newKey } from './support/kms-requests';
import { TOKENS } from './support/plaintexts';
import { startRetiredKeys } from './support/stack';
import { expectSealedUnder } from './support/stored-items';
import { vaultFixture } from './support/vaults';

// A fleet moving to a new key over two deploys reads what either deploy writes; a value under a
// key that is neither current nor retired is refused before any Decrypt.

const { Vault, VAULT_TABLE, vault, vaultFingerprints } = vaultFixture();

describe('Retired keys: reading under a field’s former keys (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  const { errors, failure } = collectErrors();

  before(() => startRetiredKeys([Vault]));

  describe('a fleet switching keys in two deploys', () => {
    it('the next key may be listed as retired before it becomes current, so old instances read what new ones write', async () => {
      const A = await newKey('fleet-a');
      const B = await newKey('fleet-b');
      // Deploy 1: still writing under A, already reading B. Deploy 2: writing under B, reading A.
      const first = bind({ keyId: A.alias, retired: { keyId: [B.alias] } });
      const second = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      await first.db.repository(Vault).save(vault('fleet', 'by-first', 0));
      await second.db.repository(Vault).save(vault('fleet', 'by-second', 1));
      expectSealedUnder(await vaultFingerprints('fleet', 'by-first'), A);
      expectSealedUnder(await vaultFingerprints('fleet', 'by-second'), B);
      for (const bound of [first, second]) {
        const [measured, items] = await measure(bound, () =>
          bound.db.repository(Vault).query({ owner: 'fleet' }).all(),
        );
        expect(items.map((v) => v.token)).to.deep.equal([TOKENS[0], TOKENS[1]]);
        expect(measured).to.deep.include({ GenerateDataKey: 0, decrypt: [A.arn, B.arn] });
      }
    });
  });

  describe('a value under a key that is neither current nor retired', () => {
    it('fails KEY_NOT_ALLOWED with no Decrypt, alone or in a page of readable items', async () => {
      const A = await newKey('n-a');
      const B = await newKey('n-b');
      const X = await newKey('n-x');
      await bind({ keyId: B.alias })
        .db.repository(Vault)
        .save(vault('neither', 'b', 3));
      await bind({ keyId: X.alias })
        .db.repository(Vault)
        .save(vault('neither', 'x', 4));
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      const [alone] = await measure(reader, () =>
        failure(repo.find({ owner: 'neither', id: 'x' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Vault',
          field: 'token',
          keyArn: B.arn,
        }),
      );
      // Every retired key of the binding is resolved to look for a match; none is X.
      expect(alone).to.deep.equal({
        DescribeKey: 2,
        GenerateDataKey: 0,
        Decrypt: 0,
        total: 2,
        describe: [B.alias, A.alias],
        generate: [],
        decrypt: [],
      });
      const [page] = await measure(reader, () =>
        failure(repo.query({ owner: 'neither' }).all(), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Vault',
          keyArn: B.arn,
        }),
      );
      expect(page).to.deep.include({ total: 0, Decrypt: 0 });
      // The readable item alone still reads.
      expect((await repo.get({ owner: 'neither', id: 'b' })).token).to.equal(TOKENS[3]);
    });
  });

  // Last: mocha runs a suite's own tests before its nested suites, so this one is a suite too.
  describe('what the errors above carry', () => {
    it('no error of this spec holds a plaintext or a ciphertext in any printed form', () =>
      expectErrorsLeakFree(errors, [VAULT_TABLE]));
  });
});
