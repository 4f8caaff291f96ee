import { expect } from 'chai';
import { keyFingerprint } from '../../../src/crypto/key-fingerprint';
import { collectErrors } from './support/collected-errors';
import { noteEntity } from './support/entities';
import { expectErrorsLeakFree } from './support/error-leaks';
import { bind, measure, newKey, type Key } from './support/kms-requests';
import { NOTES, RECOVERY, TOKENS } from './support/plaintexts';
import { startRetiredKeys } from './support/stack';
import { envelopeOf, expectSealedUnder, sealingFingerprint } from './support/stored-items';
import { vaultFixture } from './support/vaults';

// Pages mixing values under the retired and the current key read fully, one Decrypt per data key;
// re-saving every item migrates a table, after which the new key alone reads it.

const { Vault, VAULT_TABLE, vault, vaultFingerprints } = vaultFixture();
type Vault = InstanceType<typeof Vault>;
const { Note, table: NOTE_TABLE } = noteEntity();
type Note = InstanceType<typeof Note>;

describe('Retired keys: reading under a field’s former keys (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  const { errors, failure } = collectErrors();

  before(() => startRetiredKeys([Vault, Note]));

  describe('a page mixing the retired and the current key, and the migration of a table', () => {
    let A: Key;
    let B: Key;
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    /** Which items the writers sealed under A (the others under B). */
    const underA = new Set(['m0', 'm2', 'm3', 'm5']);

    before(async () => {
      A = await newKey('mix-a');
      B = await newKey('mix-b');
      const writerA = bind({ keyId: A.alias }).db.repository(Vault);
      const writerB = bind({ keyId: B.alias }).db.repository(Vault);
      for (const [n, id] of ids.entries()) {
        await (underA.has(id) ? writerA : writerB).save(vault('mix', id, n));
      }
    });

    const expected = () => ids.map((id, n) => [id, TOKENS[n], RECOVERY[n]]);
    const fields = (items: readonly Vault[]) => items.map((v) => [v.id, v.token, v.recovery]);

    it('a query page reads fully: one Decrypt per distinct data key, each pinned to its own key', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      const [measured, page] = await measure(reader, () =>
        repo.query({ owner: 'mix' }).page({ size: 10 }),
      );
      expect(page.cursor).to.equal(undefined);
      expect(fields(page.items)).to.deep.equal(expected());
      // Six saves, six data keys (each shared by the item's two fields): six Decrypts, not 12.
      expect(measured).to.deep.include({ DescribeKey: 2, GenerateDataKey: 0, Decrypt: 6 });
      expect(measured.describe).to.deep.equal([B.alias, A.alias]);
      expect(measured.decrypt).to.deep.equal(ids.map((id) => (underA.has(id) ? A.arn : B.arn)));
    });

    it('pages of a scan and a query in small pages read fully too', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      const sizes: number[] = [];
      const collected: Vault[] = [];
      const [paged] = await measure(reader, async () => {
        let cursor: string | undefined;
        do {
          const page = await repo.query({ owner: 'mix' }).page({ cursor, size: 4 });
          sizes.push(page.items.length);
          collected.push(...page.items);
          cursor = page.cursor;
        } while (cursor !== undefined);
      });
      expect(sizes).to.deep.equal([4, 2]);
      expect(fields(collected)).to.deep.equal(expected());
      expect(paged).to.deep.include({ DescribeKey: 2, Decrypt: 6 });
      const scanned = await repo
        .scan()
        .filter((c) => c.eq('owner', 'mix'))
        .all();
      expect(fields([...scanned].sort((x, y) => x.id.localeCompare(y.id)))).to.deep.equal(
        expected(),
      );
    });

    it('a client bound to the new key only fails the whole page with KEY_NOT_ALLOWED before any Decrypt', async () => {
      const current = bind({ keyId: B.alias });
      const [measured] = await measure(current, () =>
        failure(current.db.repository(Vault).query({ owner: 'mix' }).all(), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Vault',
          field: 'token',
          keyArn: B.arn,
        }),
      );
      expect(measured).to.deep.include({ DescribeKey: 1, GenerateDataKey: 0, Decrypt: 0 });
    });

    it('re-saving every item (scan + save) migrates the table: afterwards the new key alone reads it all', async () => {
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Vault);
      // The documented procedure: a scan, and a save of each item (conditional on its @Version).
      const [migration] = await measure(reader, async () => {
        for await (const item of repo.scan().filter((c) => c.eq('owner', 'mix'))) {
          await repo.save(item);
        }
      });
      expect(migration.GenerateDataKey).to.equal(ids.length);
      expect(migration.generate).to.deep.equal(ids.map(() => B.arn));
      expect(migration.decrypt.filter((k) => k === A.arn)).to.have.length(underA.size);
      for (const id of ids) expectSealedUnder(await vaultFingerprints('mix', id), B);

      const current = bind({ keyId: B.alias });
      const [after, items] = await measure(current, () =>
        current.db.repository(Vault).query({ owner: 'mix' }).all(),
      );
      expect(fields(items)).to.deep.equal(expected());
      expect(items.map((v) => v.version)).to.deep.equal(ids.map(() => 2));
      expect(after).to.deep.include({ DescribeKey: 1, GenerateDataKey: 0, Decrypt: 6 });
      expect(after.decrypt).to.deep.equal(ids.map(() => B.arn));
    });

    it('a batch written under the retired key (one data key) reads with one Decrypt and re-seals with one GenerateDataKey', async () => {
      const writer = bind({ keyId: A.alias }).db.repository(Note);
      const notes = NOTES.map((text, i) =>
        Object.assign(new Note(), { owner: 'b', id: `n${i}`, text }),
      );
      await writer.batchSave(notes);
      const keys = notes.map(({ owner, id }) => ({ owner, id }));
      const reader = bind({ keyId: B.alias, retired: { keyId: [A.alias] } });
      const repo = reader.db.repository(Note);
      const [read, loaded] = await measure(reader, () => repo.batchFind(keys));
      expect(loaded.map((n) => n?.text)).to.deep.equal(NOTES);
      expect(read).to.deep.include({ DescribeKey: 2, Decrypt: 1, decrypt: [A.arn] });
      const [write] = await measure(reader, () => repo.batchSave(loaded as Note[]));
      expect(write).to.deep.include({ DescribeKey: 0, Decrypt: 0, generate: [B.arn] });
      for (const { owner, id } of keys) {
        const envelope = await envelopeOf(NOTE_TABLE, { owner: { S: owner }, id: { S: id } });
        expect(sealingFingerprint(envelope).equals(keyFingerprint(B.arn))).to.equal(true);
      }
      const current = bind({ keyId: B.alias });
      const again = await current.db.repository(Note).batchFind(keys);
      expect(again.map((n) => n?.text)).to.deep.equal(NOTES);
    });
  });

  // Last: mocha runs a suite's own tests before its nested suites, so this one is a suite too.
  describe('what the errors above carry', () => {
    it('no error of this spec holds a plaintext or a ciphertext in any printed form', () =>
      expectErrorsLeakFree(errors, [VAULT_TABLE, NOTE_TABLE]));
  });
});
