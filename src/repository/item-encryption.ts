import { encodeAttributeAad } from '../crypto/associated-data';
import type { DataKeyScope } from '../crypto/data-key-scope';
import { encodePlaintext } from '../crypto/plaintext-codec';
import { sealPlaintext } from '../crypto/value-cipher';
import { EncryptionError } from '../errors';
import { checkDeclaredType } from '../mapping/declared-type';
import type { Item } from '../mapping/entity-mapper';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';
import { inFieldContext, requireScope } from './field-error-context';
import { EntityAad } from './entity-aad';
import { ItemDecryption } from './item-decryption';
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
  private readonly aad: EntityAad;
  /** Each encrypted field's part of the associated data, encoded once. */
  private readonly attributeParts: ReadonlyMap<AttributeMetadata, Buffer>;

  constructor(
    private readonly metadata: EntityMetadata,
    private readonly binding: KeyBinding,
    plaintextFields: ReadonlySet<string> = new Set(),
  ) {
    this.entity = metadata.entityName;
    this.encrypted = metadata.encryptedAttributes.filter((a) => !plaintextFields.has(a.property));
    this.plaintext = metadata.encryptedAttributes.filter((a) => plaintextFields.has(a.property));
    this.aad = new EntityAad(metadata);
    this.reader = new ItemDecryption(metadata, binding, this.encrypted, this.aad);
    this.attributeParts = new Map(
      this.encrypted.map((field) => [field, encodeAttributeAad(field.attribute)]),
    );
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
      let itemPart: Buffer | undefined;
      const sealed = await Promise.all(
        present.map(async (field, i) => {
          const keyArn = await this.binding.keyArn(field.encryption?.keyName, this.site(field));
          return inFieldContext(this.entity, field, keyArn, async () => {
            const key = await activeScope.encryptionKey(keyArn, this.metadata.table);
            itemPart ??= this.aad.itemPart(item);
            const attributePart = this.attributeParts.get(field) as Buffer;
            return sealPlaintext(key, encoded[i], itemPart, attributePart);
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
