import { vaultEntity } from './entities';
import { RECOVERY, TOKENS } from './plaintexts';
import { envelopeOf, sealingFingerprint } from './stored-items';

/** The DynamoDB key of a Vault item, as stored. */
export const vaultKey = (owner: string, id: string) => ({ owner: { S: owner }, id: { S: id } });

/**
 * A Vault entity on a table of its own (see {@link vaultEntity}), with the helpers the specs build
 * its items and inspect their stored envelopes with.
 */
export function vaultFixture() {
  const { Vault, table } = vaultEntity();

  /** The item holding the n-th token and recovery code. */
  const vault = (owner: string, id: string, n: number) =>
    Object.assign(new Vault(), { owner, id, token: TOKENS[n], recovery: RECOVERY[n] });

  /** The key fingerprint each encrypted attribute of the stored Vault item carries. */
  async function vaultFingerprints(owner: string, id: string): Promise<Buffer[]> {
    const key = vaultKey(owner, id);
    return [
      sealingFingerprint(await envelopeOf(table, key)),
      sealingFingerprint(await envelopeOf(table, key)),
    ];
  }

  return { Vault, VAULT_TABLE: table, vault, vaultFingerprints };
}
