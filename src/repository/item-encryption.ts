import type { DataKeyScope } from '../crypto/data-key-scope';
import { sealItem } from '../crypto/item-cipher';
import { encodePlaintext } from '../crypto/plaintext-codec';
import { encodeSealedBody, type SealedField } from '../crypto/sealed-body';
import { EncryptionError } from '../errors';
import { checkDeclaredType } from '../mapping/declared-type';
import type { Item } from '../mapping/entity-mapper';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';
import type { DataKeyMaterial } from '../crypto/data-key';
import {
  bindingSite,
  envelopeAttributes,
  envelopeBindings,
  type EnvelopeBinding,
} from './envelope-bindings';
import { requireScope } from './field-error-context';
import { ItemDecryption } from './item-decryption';
import type { KeyBinding } from './key-binding';

/**
 * Protects an entity's items on write and checks them on read, failing closed.
 *
 * Writes: every encrypted value is type-checked and encoded first; then each of the item's
 * envelopes (one per key binding, see envelope-bindings.ts) seals the values of its binding in one
 * AES-256-GCM call, with the item's keys and `@Signed` attributes as associated data. The
 * encrypted attributes themselves are not stored: only their envelope is. Reads go through
 * {@link ItemDecryption}. Any failure fails the whole operation.
 */
export class ItemEncryption {
  /** The fields encrypted by this repository (a plaintext fixture opts some out). */
  readonly encrypted: readonly AttributeMetadata[];
  /** The envelopes every item carries (none when nothing is encrypted or signed). */
  readonly bindings: readonly EnvelopeBinding[];
  private readonly plaintext: readonly AttributeMetadata[];
  /** Envelopes a normal repository writes that this one does not read (a fixture's opt-outs). */
  private readonly unread: readonly string[];
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
    this.bindings = envelopeBindings(metadata, plaintextFields);
    const read = new Set(this.bindings.map((b) => b.attribute));
    this.unread = envelopeAttributes(metadata).filter((attribute) => !read.has(attribute));
    this.reader = new ItemDecryption(metadata, binding, this.bindings);
  }

  /** True when operations need a data-key scope: the items carry envelopes. */
  get active(): boolean {
    return this.bindings.length > 0;
  }

  /** True when `attribute` holds a value this repository encrypts (not a fixture's opt-out). */
  isEncrypted(attribute: string): boolean {
    return this.encrypted.some((a) => a.attribute === attribute);
  }

  /** True when `attribute` is bound into the envelopes (a key or a `@Signed` attribute). */
  isBound(attribute: string): boolean {
    if (!this.active) return false;
    return (
      this.metadata.keyAttributes.some((a) => a.attribute === attribute) ||
      this.metadata.signedAttributes.some((a) => a.attribute === attribute)
    );
  }

  /**
   * Refuses every operation of an entity whose envelopes' keys are not bound, before anything is
   * sent, so a deployment that forgot its key fails at its first call.
   */
  assertConfigured(): void {
    for (const { keyName, fields } of this.bindings) {
      if (!this.binding.isBound(keyName)) {
        const what =
          fields.length > 0
            ? `${this.entity}.${fields[0].property} is encrypted`
            : `${this.entity} has @Signed attributes`;
        throw new EncryptionError(
          'ENCRYPTION_NOT_CONFIGURED',
          `${what} but ${this.binding.describeMissing(keyName)}`,
          { entity: this.entity, ...(fields.length > 0 ? { field: fields[0].property } : {}) },
        );
      }
    }
  }

  /**
   * A data-key scope for one operation, cancelled by its `signal`, or undefined when nothing is
   * protected.
   */
  newScope(signal?: AbortSignal): DataKeyScope | undefined {
    return this.active ? this.binding.newScope(signal) : undefined;
  }

  /**
   * Writes the envelopes (and a fixture's plaintext attributes) of `source` into `item`, which
   * must already hold every plain attribute: the keys and signed values are bound as `item` holds
   * them. Every value is checked before the first KMS call.
   */
  async encryptInto(item: Item, source: Record<string, unknown>, scope: DataKeyScope | undefined) {
    this.plaintextInto(item, source);
    await this.sealInto(item, source, scope);
  }

  /** Writes a plaintext fixture's opted-out fields of `source` into `item`, in clear. */
  plaintextInto(item: Item, source: Record<string, unknown>): void {
    for (const field of this.plaintext) {
      if (!Object.hasOwn(source, field.property)) continue;
      const value = source[field.property];
      if (value === undefined) continue;
      const written = value === null ? { NULL: true } : field.codec.write(value);
      if (written !== undefined) item[field.attribute] = written;
    }
  }

  /**
   * Seals the item's envelopes from the encrypted values of `source` into `item`, which holds the
   * keys and signed attributes as they are stored.
   */
  async sealInto(item: Item, source: Record<string, unknown>, scope: DataKeyScope | undefined) {
    if (!this.active) return;
    // Every value is checked and encoded before the first KMS call: a bad value costs nothing.
    const bodies = this.bindings.map((binding) => this.encodeFields(binding, source));
    try {
      const activeScope = requireScope(scope, this.entity);
      const sealed = await Promise.all(
        this.bindings.map(async (binding, i) => {
          const { key, keyArn } = await this.encryptionKeyOf(binding, activeScope);
          try {
            return sealItem(key, encodeSealedBody(bodies[i]), (header) =>
              binding.aadOf(header, item),
            );
          } catch (error) {
            throw error instanceof EncryptionError
              ? error.withContext({ ...bindingSite(this.entity, binding), keyArn })
              : error;
          }
        }),
      );
      this.bindings.forEach((binding, i) => {
        item[binding.attribute] = { B: sealed[i] };
      });
    } finally {
      // The encoded plaintexts are ours alone; sealing wipes them, and so does a failure.
      for (const fields of bodies) for (const { plaintext } of fields) plaintext.fill(0);
    }
  }

  /** Obtains the data key of every envelope now, as a write that will seal them first does. */
  async prepareKeys(scope: DataKeyScope | undefined): Promise<void> {
    if (!this.active) return;
    const activeScope = requireScope(scope, this.entity);
    await Promise.all(this.bindings.map((binding) => this.encryptionKeyOf(binding, activeScope)));
  }

  /** The data key that seals `binding`'s envelopes in this operation, with its KMS key's ARN. */
  private async encryptionKeyOf(
    binding: EnvelopeBinding,
    scope: DataKeyScope,
  ): Promise<{ key: DataKeyMaterial; keyArn: string }> {
    const site = bindingSite(this.entity, binding);
    const keyArn = await this.binding.keyArn(binding.keyName, site, scope.signal);
    try {
      return { key: await scope.encryptionKey(keyArn, this.metadata.table), keyArn };
    } catch (error) {
      throw error instanceof EncryptionError ? error.withContext({ ...site, keyArn }) : error;
    }
  }

  /**
   * Decrypts and checks `items` into the matching `targets` (entity instances holding the plain
   * attributes already). See {@link ItemDecryption.decryptInto}.
   */
  async decryptInto(
    items: readonly Item[],
    targets: readonly Record<string, unknown>[],
    scope: DataKeyScope | undefined,
  ): Promise<void> {
    items.forEach((item, i) => {
      // A fixture that opted out every field of an envelope must not load a sealed item as
      // "those fields unset": it cannot open the envelope, so it refuses the item.
      for (const attribute of this.unread) {
        if (Object.hasOwn(item, attribute)) {
          throw new EncryptionError(
            'ENCRYPTION_NOT_CONFIGURED',
            `the stored ${this.entity} item is sealed (${attribute}) but this plaintext fixture stores its fields in clear`,
            { entity: this.entity },
          );
        }
      }
      for (const field of this.plaintext) {
        const stored = Object.hasOwn(item, field.attribute) ? item[field.attribute] : undefined;
        if (stored !== undefined) {
          targets[i][field.property] = stored.NULL === true ? null : field.codec.read(stored);
        }
      }
    });
    if (this.active) await this.reader.decryptInto(items, targets, scope);
  }

  private encodeFields(binding: EnvelopeBinding, source: Record<string, unknown>): SealedField[] {
    const fields: SealedField[] = [];
    try {
      for (const field of binding.fields) {
        const value = source[field.property];
        if (value === undefined) continue;
        if (value !== null) checkDeclaredType(field.codec, this.codecSite(field), value);
        fields.push({
          attribute: field.attribute,
          plaintext: encodePlaintext(value, { entity: this.entity, field: field.property }),
        });
      }
      return fields;
    } catch (error) {
      for (const { plaintext } of fields) plaintext.fill(0);
      throw error;
    }
  }

  private codecSite(field: AttributeMetadata) {
    return {
      entity: this.metadata.className,
      property: field.property,
      attribute: field.attribute,
    };
  }
}
