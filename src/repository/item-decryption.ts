import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { composeAad, encodeAttributeAad } from '../crypto/associated-data';
import type { DataKeyMaterial } from '../crypto/data-key';
import type { DataKeyScope } from '../crypto/data-key-scope';
import { type ParsedEnvelope, hasEnvelopeMagic, parseEnvelope } from '../crypto/envelope';
import { openEnvelope } from '../crypto/value-cipher';
import { EncryptionError } from '../errors';
import type { Item } from '../mapping/entity-mapper';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';
import type { EntityAad } from './entity-aad';
import { contextualise, inFieldContext, requireScope } from './field-error-context';
import type { KeyBinding } from './key-binding';
import { countDecryptFailure } from '../observability/telemetry';

/** An encrypted field as the read path uses it, with its part of the associated data encoded. */
interface EncryptedField {
  readonly metadata: AttributeMetadata;
  readonly attributeAad: Buffer;
}

/** A stored envelope, parsed, before its key is checked. */
interface FoundValue {
  readonly item: number;
  readonly field: EncryptedField;
  readonly envelope: ParsedEnvelope;
}

/** An envelope made under the bound key, waiting for its data key. */
interface PendingValue {
  readonly target: Record<string, unknown>;
  readonly field: EncryptedField;
  readonly envelope: ParsedEnvelope;
  /** The item part of the associated data, shared by the item's values. */
  readonly itemAad: Buffer;
  readonly keyArn: string;
}

/** The values (indexes into the pending list) sealed with one data key. */
interface DataKeyGroup {
  readonly keyArn: string;
  readonly wrappedKey: Buffer;
  readonly members: number[];
}

/**
 * The read half of field encryption: decrypts the `@Encrypted` attributes of a page of items,
 * failing closed. In order, and before any value is assigned:
 *
 * 1. every envelope of every item is classified and parsed (no KMS call);
 * 2. each key name is resolved (DescribeKey at most once per key) and every envelope's key
 *    fingerprint checked against the bound key (or the binding's retired keys), so a value under
 *    another key costs no Decrypt;
 * 3. each distinct wrapped data key is requested once from the operation's scope;
 * 4. each value is opened with one AES-GCM call.
 *
 * This is the hot path of an encrypted query, so what the values of an item share (the item part
 * of the associated data) is encoded once per item, what a field's values share once per field,
 * and a value costs one parse, one small copy and one AES-GCM call.
 */
export class ItemDecryption {
  private readonly fields: readonly EncryptedField[];
  private readonly entity: string;

  constructor(
    private readonly metadata: EntityMetadata,
    private readonly binding: KeyBinding,
    encrypted: readonly AttributeMetadata[],
    /** The item part of the associated data, shared with the write path. */
    private readonly aad: EntityAad,
  ) {
    this.entity = metadata.entityName;
    this.fields = encrypted.map((field) => ({
      metadata: field,
      attributeAad: encodeAttributeAad(field.attribute),
    }));
  }

  /**
   * Decrypts the encrypted attributes of `items` into the matching `targets`. Any failure fails
   * the whole call and assigns nothing: no partial entity, no `undefined` in place of a value.
   */
  async decryptInto(
    items: readonly Item[],
    targets: readonly Record<string, unknown>[],
    scope: DataKeyScope | undefined,
  ): Promise<void> {
    try {
      await this.decryptAll(items, targets, scope);
    } catch (error) {
      if (error instanceof EncryptionError) countDecryptFailure(error.code);
      throw error;
    }
  }

  private async decryptAll(
    items: readonly Item[],
    targets: readonly Record<string, unknown>[],
    scope: DataKeyScope | undefined,
  ): Promise<void> {
    const found = this.parseAll(items);
    if (found.length === 0) return;
    const pending = await this.checkKeys(found, items, targets);
    const activeScope = requireScope(scope, this.entity);
    // One request to the scope per distinct data key (it still counts one cache use per value).
    const keyOf = new Array<Promise<DataKeyMaterial>>(pending.length);
    // Each distinct key request, with the first value that needs it (named if it fails).
    const firstUse = new Map<Promise<DataKeyMaterial>, PendingValue>();
    for (const group of groupByDataKey(pending)) {
      const keys = activeScope.decryptionKeys(
        group.keyArn,
        this.metadata.table,
        group.wrappedKey,
        group.members.length,
      );
      group.members.forEach((index, i) => {
        keyOf[index] = keys[i];
        if (!firstUse.has(keys[i])) firstUse.set(keys[i], pending[index]);
      });
    }
    const requests = [...firstUse];
    const materials = await Promise.all(
      requests.map(([key, value]) =>
        inFieldContext(this.entity, value.field.metadata, value.keyArn, () => key),
      ),
    );
    const resolved = new Map(requests.map(([key], i) => [key, materials[i]]));
    const opened = pending.map((value, i) => {
      const key = resolved.get(keyOf[i]) as DataKeyMaterial;
      const { envelope, field } = value;
      try {
        return openEnvelope(
          key,
          envelope,
          composeAad(envelope.header, value.itemAad, field.attributeAad),
        );
      } catch (error) {
        throw contextualise(error, this.entity, field.metadata, value.keyArn);
      }
    });
    // Assigned only once every value decrypted: a failure leaves no half-filled entity behind.
    pending.forEach((value, i) => {
      value.target[value.field.metadata.property] = opened[i];
    });
  }

  /** Classifies and parses every stored envelope of `items`. */
  private parseAll(items: readonly Item[]): FoundValue[] {
    const found: FoundValue[] = [];
    items.forEach((item, index) => {
      for (const field of this.fields) {
        const { attribute } = field.metadata;
        const stored = Object.hasOwn(item, attribute) ? item[attribute] : undefined;
        if (stored === undefined) continue;
        found.push({ item: index, field, envelope: this.parse(stored, field.metadata) });
      }
    });
    return found;
  }

  /**
   * Resolves each key name once, in order of first use, then checks every envelope's key
   * fingerprint against its field's bound key, or else its retired keys: no KMS call but
   * DescribeKey (once per key, and for a retired key only when a value names one).
   */
  private async checkKeys(
    found: readonly FoundValue[],
    items: readonly Item[],
    targets: readonly Record<string, unknown>[],
  ): Promise<PendingValue[]> {
    const arns = new Map<string | undefined, string>();
    for (const { field } of found) {
      const keyName = field.metadata.encryption?.keyName;
      if (!arns.has(keyName)) {
        arns.set(keyName, await this.binding.keyArn(keyName, this.site(field.metadata)));
      }
    }
    // The key each value was sealed under: its field's current key, or one of the field's retired
    // keys, matched by the fingerprint the envelope carries (each distinct one looked up once).
    const keyArns: string[] = [];
    const retired = new Map<string, string | undefined>();
    for (const { field, envelope } of found) {
      const keyName = field.metadata.encryption?.keyName;
      const current = arns.get(keyName) as string;
      if (envelope.fingerprint.equals(this.binding.fingerprintOf(current))) {
        keyArns.push(current);
        continue;
      }
      // The fingerprint is a fixed-length suffix, so no two (key name, fingerprint) pairs collide.
      const id = `${keyName === undefined ? '*' : `=${keyName}`}${envelope.fingerprint.toString('hex')}`;
      if (!retired.has(id)) {
        const site = this.site(field.metadata);
        retired.set(id, await this.binding.retiredKeyArn(keyName, envelope.fingerprint, site));
      }
      const retiredArn = retired.get(id);
      if (retiredArn === undefined) {
        throw new EncryptionError(
          'KEY_NOT_ALLOWED',
          `${this.entity}.${field.metadata.property} was encrypted under a key this client does not have bound for it`,
          { ...this.site(field.metadata), keyArn: current },
        );
      }
      keyArns.push(retiredArn);
    }
    // The values of an item are consecutive in `found`: its associated data is encoded once.
    let lastItem = -1;
    let itemAad: Buffer = Buffer.alloc(0);
    return found.map(({ item, field, envelope }, i) => {
      if (item !== lastItem) {
        itemAad = this.aad.itemPart(items[item]);
        lastItem = item;
      }
      return { target: targets[item], field, envelope, itemAad, keyArn: keyArns[i] };
    });
  }

  private parse(stored: AttributeValue, field: AttributeMetadata): ParsedEnvelope {
    const bytes = stored.B;
    if (bytes === undefined || !hasEnvelopeMagic(bytes)) {
      throw new EncryptionError(
        'PLAINTEXT_IN_ENCRYPTED_FIELD',
        `${this.entity}.${field.property} holds a value that is not an encrypted envelope`,
        this.site(field),
      );
    }
    try {
      return parseEnvelope(bytes);
    } catch (error) {
      throw error instanceof EncryptionError ? error.withContext(this.site(field)) : error;
    }
  }

  private site(field: AttributeMetadata): { entity: string; field: string } {
    return { entity: this.entity, field: field.property };
  }
}

/**
 * The pending values grouped by data key, in order of first use. A page is usually sealed with
 * one or a few data keys, so each value is compared with the previous value's group before an id
 * is built from its wrapped key.
 */
function groupByDataKey(pending: readonly PendingValue[]): DataKeyGroup[] {
  const groups = new Map<string, DataKeyGroup>();
  let last: DataKeyGroup | undefined;
  pending.forEach((value, index) => {
    const wrapped = value.envelope.wrappedKey;
    if (last === undefined || last.keyArn !== value.keyArn || !last.wrappedKey.equals(wrapped)) {
      // Length-prefixed, so no two (key ARN, wrapped key) pairs give the same id.
      const id = `${value.keyArn.length}:${value.keyArn}${wrapped.toString('latin1')}`;
      last = groups.get(id);
      if (last === undefined) {
        last = { keyArn: value.keyArn, wrappedKey: wrapped, members: [] };
        groups.set(id, last);
      }
    }
    last.members.push(index);
  });
  return [...groups.values()];
}
