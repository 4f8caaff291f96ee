import { itemContexts } from '../crypto/associated-data';
import type { DataKeyScope } from '../crypto/data-key-scope';
import { encodePlaintext } from '../crypto/plaintext-codec';
import { sealPlaintext } from '../crypto/value-cipher';
import type { ValueContext } from '../crypto/value-context';
import { EncryptionError } from '../errors';
import { checkDeclaredType } from '../mapping/declared-type';
import type { Item } from '../mapping/entity-mapper';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';
import { inFieldContext, requireScope } from './field-error-context';
import { ItemDecryption, keyPart } from './item-decryption';
import type { KeyBinding } from './key-binding';

/**
 * Encrypts an entity's `@Encrypted` attributes on write and decrypts them on read, failing closed.
 *
 * Writes: every value is type-checked first, then sealed with the operation's data key and
 * written as one binary envelope per attribute. Reads go through {@link ItemDecryption}. Any
 * failure fails the whole operation: no partial entity, no `undefined` in place of a value.
 */
export class ItemEncryption {
  /** The fields encrypted by this repository (a plaintext fixture opts some out). */
  readonly encrypted: readonly AttributeMetadata[];
  private readonly plaintext: readonly AttributeMetadata[];
  private readonly entity: string;
  private readonly reader: ItemDecryption;

  constructor(
    private readonly metadata: EntityMetadata,
    private readonly binding: KeyBinding,
    plaintextFields: ReadonlySet<string> = new Set(),
  ) {
    this.entity = metadata.entityName;
    this.encrypted = metadata.encryptedAttributes.filter((a) => !plaintextFields.has(a.property));
    this.plaintext = metadata.encryptedAttributes.filter((a) => plaintextFields.has(a.property));
    this.reader = new ItemDecryption(metadata, binding, this.encrypted);
  }

  /** True when operations need a data-key scope. */
  get active(): boolean {
    return this.encrypted.length > 0;
  }

  /**
   * Refuses every operation of an entity whose encrypted fields' keys are not bound, before
   * anything is sent, so a deployment that forgot its key fails at its first call.
   */
  assertConfigured(): void {
    for (const field of this.encrypted) {
      const keyName = field.encryption?.keyName;
      if (!this.binding.isBound(keyName)) {
        throw new EncryptionError(
          'ENCRYPTION_NOT_CONFIGURED',
          `${this.entity}.${field.property} is encrypted but ${this.binding.describeMissing(keyName)}`,
          { entity: this.entity, field: field.property },
        );
      }
    }
  }

  /** A data-key scope for one operation, or undefined when nothing is encrypted. */
  newScope(): DataKeyScope | undefined {
    return this.active ? this.binding.newScope() : undefined;
  }

  /**
   * Writes the encrypted (and fixture-plaintext) attributes of `source` into `item`, which must
   * already hold the key attributes. Every value is checked before the first KMS call.
   */
  async encryptInto(item: Item, source: Record<string, unknown>, scope: DataKeyScope | undefined) {
    for (const field of this.plaintext) {
      const value = source[field.property];
      if (value === undefined) continue;
      const written = value === null ? { NULL: true } : field.codec.write(value);
      if (written !== undefined) item[field.attribute] = written;
    }
    const present = this.encrypted.filter((field) => source[field.property] !== undefined);
    if (present.length === 0) return;
    // Every value is checked and encoded before the first KMS call: a bad value costs nothing.
    const encoded = present.map((field) => {
      const value = source[field.property];
      if (value !== null) checkDeclaredType(field.codec, this.codecSite(field), value);
      return encodePlaintext(value, this.site(field));
    });
    try {
      const activeScope = requireScope(scope, this.entity);
      let contextOf: ((attribute: string) => ValueContext) | undefined;
      const sealed = await Promise.all(
        present.map(async (field, i) => {
          const keyArn = await this.binding.keyArn(field.encryption?.keyName, this.site(field));
          return inFieldContext(this.entity, field, keyArn, async () => {
            const key = await activeScope.encryptionKey(keyArn, this.metadata.table);
            contextOf ??= this.contextsOf(item);
            return sealPlaintext(key, encoded[i], contextOf(field.attribute));
          });
        }),
      );
      present.forEach((field, i) => {
        item[field.attribute] = { B: sealed[i] };
      });
    } finally {
      // The encoded plaintexts are ours alone; sealing wipes them, and so does a failure.
      for (const bytes of encoded) bytes.fill(0);
    }
  }

  /**
   * Decrypts the encrypted attributes of `items` into the matching `targets` (entity instances
   * holding the plain attributes already).
   */
  async decryptInto(
    items: readonly Item[],
    targets: readonly Record<string, unknown>[],
    scope: DataKeyScope | undefined,
  ): Promise<void> {
    items.forEach((item, i) => {
      for (const field of this.plaintext) {
        const stored = Object.hasOwn(item, field.attribute) ? item[field.attribute] : undefined;
        if (stored !== undefined) {
          targets[i][field.property] = stored.NULL === true ? null : field.codec.read(stored);
        }
      }
    });
    if (this.active) await this.reader.decryptInto(items, targets, scope);
  }

  /**
   * The value contexts of `item`'s encrypted attributes. The associated data they share (table,
   * entity, keys) is encoded once per item, not once per value.
   */
  private contextsOf(item: Item): (attribute: string) => ValueContext {
    const { partitionKey, sortKey, table } = this.metadata;
    return itemContexts({
      table,
      entity: this.entity,
      partitionKey: keyPart(partitionKey.attribute, item),
      ...(sortKey === undefined ? {} : { sortKey: keyPart(sortKey.attribute, item) }),
    });
  }

  private codecSite(field: AttributeMetadata) {
    return {
      entity: this.metadata.className,
      property: field.property,
      attribute: field.attribute,
    };
  }

  private site(field: AttributeMetadata): { entity: string; field: string } {
    return { entity: this.entity, field: field.property };
  }
}
