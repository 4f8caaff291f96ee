import { itemAadEncoder, type StoredItem } from '../crypto/associated-data';
import { RESERVED_ATTRIBUTE_PREFIX } from '../metadata/discovery';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';

/**
 * One envelope of an entity's items: the key binding it is sealed under, the attribute that holds
 * it, the encrypted fields it seals and what its associated data binds.
 */
export interface EnvelopeBinding {
  /** The key name (`kms.keys.<name>`), or undefined for the default `kms.keyId`. */
  readonly keyName: string | undefined;
  /** `__td` for the default binding, `__td:<key name>` for a named one. */
  readonly attribute: string;
  /** The encrypted fields sealed in this envelope (none for a signed-only entity). */
  readonly fields: readonly AttributeMetadata[];
  /** Those fields by attribute name, for reading a sealed body. */
  readonly byAttribute: ReadonlyMap<string, AttributeMetadata>;
  /** The associated data of an envelope of `item` with this header. */
  readonly aadOf: (header: Uint8Array, item: StoredItem) => Buffer;
}

/**
 * The envelopes every item of an entity carries, compiled once per repository:
 *
 * - one per key binding that an `@Encrypted` field uses;
 * - or, for an entity with `@Signed` attributes and no encrypted field, one under the default key.
 *
 * Every envelope binds the keys and all signed attributes, so each of them authenticates the
 * item on its own. `plaintextFields` (a plaintext fixture's opt-outs) are left out: a fixture that
 * opts out every protected property leaves the entity with no envelope.
 *
 * @example
 * ```ts
 * const bindings = envelopeBindings(metadata, new Set());
 * bindings[0].attribute; // '__td'
 * ```
 */
export function envelopeBindings(
  metadata: EntityMetadata,
  plaintextFields: ReadonlySet<string>,
): readonly EnvelopeBinding[] {
  const encrypted = metadata.encryptedAttributes.filter((a) => !plaintextFields.has(a.property));
  const signed = metadata.signedAttributes.filter((a) => !plaintextFields.has(a.property));
  return bindingKeyNames(encrypted, signed).map((keyName) => {
    const attribute = envelopeAttribute(keyName);
    const fields = encrypted.filter((a) => a.encryption?.keyName === keyName);
    return Object.freeze({
      keyName,
      attribute,
      fields,
      byAttribute: new Map(fields.map((a) => [a.attribute, a])),
      aadOf: itemAadEncoder({
        table: metadata.table,
        entity: metadata.entityName,
        envelope: attribute,
        partitionKey: metadata.partitionKey.attribute,
        ...(metadata.sortKey === undefined ? {} : { sortKey: metadata.sortKey.attribute }),
        signed: signed.map((a) => a.attribute),
      }),
    });
  });
}

/**
 * The envelope attributes an entity's items may carry, from its metadata alone (a plaintext
 * fixture carries fewer): what a projection that needs them fetches.
 *
 * @example
 * ```ts
 * envelopeAttributes(entityMetadata(Credential)); // ['__td']
 * ```
 */
export function envelopeAttributes(metadata: EntityMetadata): string[] {
  return bindingKeyNames(metadata.encryptedAttributes, metadata.signedAttributes).map(
    envelopeAttribute,
  );
}

/**
 * The key bindings that seal envelopes: each one an encrypted field uses, or, with no encrypted
 * field, the default key for the signed attributes.
 */
function bindingKeyNames(
  encrypted: readonly AttributeMetadata[],
  signed: readonly AttributeMetadata[],
): (string | undefined)[] {
  const keyNames = [...new Set(encrypted.map((a) => a.encryption?.keyName))];
  if (keyNames.length === 0 && signed.length > 0) keyNames.push(undefined);
  return keyNames;
}

/**
 * Where an envelope's errors point: the entity, and the binding's first encrypted field (none
 * for a signed-only envelope).
 *
 * @example
 * ```ts
 * bindingSite('Credential', bindings[0]); // { entity: 'Credential', field: 'secret' }
 * ```
 */
export function bindingSite(
  entity: string,
  binding: EnvelopeBinding,
): { entity: string; field?: string } {
  return {
    entity,
    ...(binding.fields.length > 0 ? { field: binding.fields[0].property } : {}),
  };
}

/**
 * The attribute holding the envelope of a key binding.
 *
 * @example
 * ```ts
 * envelopeAttribute(undefined); // '__td'
 * envelopeAttribute('payments'); // '__td:payments'
 * ```
 */
export function envelopeAttribute(keyName: string | undefined): string {
  return keyName === undefined
    ? RESERVED_ATTRIBUTE_PREFIX
    : `${RESERVED_ATTRIBUTE_PREFIX}:${keyName}`;
}
