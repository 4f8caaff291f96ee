import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DataKeyMaterial } from '../crypto/data-key';
import type { DataKeyScope } from '../crypto/data-key-scope';
import { type ParsedEnvelope, hasEnvelopeMagic, parseEnvelope } from '../crypto/envelope';
import { keyFingerprint } from '../crypto/key-fingerprint';
import { encodePlaintext } from '../crypto/plaintext-codec';
import { checkDeclaredType } from '../mapping/declared-type';
import { openValue, sealPlaintext } from '../crypto/value-cipher';
import { itemContexts } from '../crypto/associated-data';
import type { KeyPart, ValueContext } from '../crypto/value-context';
import { EncryptionError } from '../errors';
import type { Item } from '../mapping/entity-mapper';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';
import type { KeyBinding } from './key-binding';

/** One stored envelope, checked and waiting for its data key. */
interface PendingValue {
  readonly target: Record<string, unknown>;
  readonly field: AttributeMetadata;
  readonly envelope: ParsedEnvelope;
  readonly context: ValueContext;
  readonly keyArn: string;
}

/**
 * Encrypts an entity's `@Encrypted` attributes on write and decrypts them on read, failing closed.
 *
 * Writes: every value is type-checked first, then sealed with the operation's data key and
 * written as one binary envelope per attribute. Reads: every envelope of every item is classified
 * and parsed, and its key fingerprint checked against the bound key, before any data key is
 * requested; then each distinct wrapped key is unwrapped once and each value opened. Any failure
 * fails the whole operation: no partial entity, no `undefined` in place of a value.
 */
export class ItemEncryption {
  /** The fields encrypted by this repository (a plaintext fixture opts some out). */
  readonly encrypted: readonly AttributeMetadata[];
  private readonly plaintext: readonly AttributeMetadata[];
  private readonly entity: string;
  /** Key fingerprints by key ARN: the few keys bound to this entity. */
  private readonly fingerprints = new Map<string, Buffer>();

  constructor(
    private readonly metadata: EntityMetadata,
    private readonly binding: KeyBinding,
    plaintextFields: ReadonlySet<string> = new Set(),
  ) {
    this.entity = metadata.entityName;
    this.encrypted = metadata.encryptedAttributes.filter((a) => !plaintextFields.has(a.property));
    this.plaintext = metadata.encryptedAttributes.filter((a) => plaintextFields.has(a.property));
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
      const activeScope = this.requireScope(scope);
      let contextOf: ((attribute: string) => ValueContext) | undefined;
      const sealed = await Promise.all(
        present.map(async (field, i) => {
          const keyArn = await this.binding.keyArn(field.encryption?.keyName, this.site(field));
          return this.withContext(field, keyArn, async () => {
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
    if (!this.active) return;
    const pending = await this.checkEnvelopes(items, targets);
    if (pending.length === 0) return;
    const activeScope = this.requireScope(scope);
    // Values sealed with the same data key share one request to the scope (which still counts
    // one cache use per value), and each distinct key is awaited once: a page of n values under
    // one data key costs one lookup, not n.
    const groups = new Map<string, PendingValue[]>();
    for (const value of pending) {
      const wrapped = value.envelope.wrappedKey;
      // Length-prefixed, so no two (key ARN, wrapped key) pairs give the same id.
      const id = `${value.keyArn.length}:${value.keyArn}${wrapped.toString('latin1')}`;
      const group = groups.get(id);
      if (group === undefined) groups.set(id, [value]);
      else group.push(value);
    }
    const keyOf = new Map<PendingValue, Promise<DataKeyMaterial>>();
    // Each distinct key request, with the first value that needs it (named if it fails).
    const firstUse = new Map<Promise<DataKeyMaterial>, PendingValue>();
    for (const group of groups.values()) {
      const [first] = group;
      const keys = activeScope.decryptionKeys(
        first.keyArn,
        this.metadata.table,
        first.envelope.wrappedKey,
        group.length,
      );
      group.forEach((value, i) => {
        keyOf.set(value, keys[i]);
        if (!firstUse.has(keys[i])) firstUse.set(keys[i], value);
      });
    }
    const requests = [...firstUse];
    const materials = await Promise.all(
      requests.map(([key, value]) => this.withContext(value.field, value.keyArn, () => key)),
    );
    const resolved = new Map(requests.map(([key], i) => [key, materials[i]]));
    const opened = pending.map((value) => {
      const key = resolved.get(keyOf.get(value) as Promise<DataKeyMaterial>) as DataKeyMaterial;
      try {
        return openValue(key, value.envelope, value.context);
      } catch (error) {
        throw this.contextualise(error, value.field, value.keyArn);
      }
    });
    // Assigned only once every value decrypted: a failure leaves no half-filled entity behind.
    pending.forEach((value, i) => {
      value.target[value.field.property] = opened[i];
    });
  }

  /** Classifies, parses and key-checks every envelope, with no KMS call but DescribeKey (once). */
  private async checkEnvelopes(
    items: readonly Item[],
    targets: readonly Record<string, unknown>[],
  ): Promise<PendingValue[]> {
    const found: {
      item: Item;
      target: Record<string, unknown>;
      field: AttributeMetadata;
      envelope: ParsedEnvelope;
    }[] = [];
    items.forEach((item, i) => {
      for (const field of this.encrypted) {
        const stored = Object.hasOwn(item, field.attribute) ? item[field.attribute] : undefined;
        if (stored === undefined) continue;
        found.push({ item, target: targets[i], field, envelope: this.parse(stored, field) });
      }
    });
    if (found.length === 0) return [];
    // Each key name is resolved once, in order of first use, before any value is checked.
    const arns = new Map<string | undefined, string>();
    for (const { field } of found) {
      const keyName = field.encryption?.keyName;
      if (!arns.has(keyName))
        arns.set(keyName, await this.binding.keyArn(keyName, this.site(field)));
    }
    const pending: PendingValue[] = [];
    const contexts = new Map<Item, (attribute: string) => ValueContext>();
    for (const { item, target, field, envelope } of found) {
      const keyArn = arns.get(field.encryption?.keyName) as string;
      if (!envelope.fingerprint.equals(this.fingerprintOf(keyArn))) {
        throw new EncryptionError(
          'KEY_NOT_ALLOWED',
          `${this.entity}.${field.property} was encrypted under a key this client does not have bound for it`,
          { ...this.site(field), keyArn },
        );
      }
      let contextOf = contexts.get(item);
      if (contextOf === undefined) {
        contextOf = this.contextsOf(item);
        contexts.set(item, contextOf);
      }
      pending.push({ target, field, envelope, context: contextOf(field.attribute), keyArn });
    }
    return pending;
  }

  /** The fingerprint of a key ARN, computed once per ARN (a SHA-256 per value measured 2 us). */
  private fingerprintOf(keyArn: string): Buffer {
    let fingerprint = this.fingerprints.get(keyArn);
    if (fingerprint === undefined) {
      fingerprint = keyFingerprint(keyArn);
      this.fingerprints.set(keyArn, fingerprint);
    }
    return fingerprint;
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

  private async withContext<R>(
    field: AttributeMetadata,
    keyArn: string,
    run: () => Promise<R> | R,
  ) {
    try {
      return await run();
    } catch (error) {
      throw this.contextualise(error, field, keyArn);
    }
  }

  private contextualise(error: unknown, field: AttributeMetadata, keyArn: string): unknown {
    return error instanceof EncryptionError
      ? error.withContext({ ...this.site(field), keyArn })
      : error;
  }

  private requireScope(scope: DataKeyScope | undefined): DataKeyScope {
    // Unreachable through the repository (every operation opens a scope when fields are
    // encrypted); failing closed here keeps it so if that ever changes.
    if (scope === undefined) {
      throw new EncryptionError('ENCRYPTION_NOT_CONFIGURED', `${this.entity}: no data-key scope`);
    }
    return scope;
  }
}

function keyPart(attribute: string, item: Item): KeyPart {
  const value = item[attribute];
  if (value?.S !== undefined) return { name: attribute, value: { S: value.S } };
  if (value?.N !== undefined) return { name: attribute, value: { N: value.N } };
  if (value?.B !== undefined) return { name: attribute, value: { B: value.B } };
  // The mapper guarantees keys on write; a read of an item without its key cannot be bound.
  throw new EncryptionError('INTEGRITY', `the item has no usable key attribute "${attribute}"`);
}
