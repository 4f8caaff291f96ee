import type { DataKeyMaterial } from '../crypto/data-key';
import type { DataKeyScope } from '../crypto/data-key-scope';
import {
  type ParsedEnvelope,
  type WrapEntry,
  hasEnvelopeMagic,
  parseEnvelope,
} from '../crypto/envelope';
import { openItem } from '../crypto/item-cipher';
import { decodeSealedBody } from '../crypto/sealed-body';
import { EncryptionError } from '../errors';
import type { Item } from '../mapping/entity-mapper';
import type { EntityMetadata } from '../metadata/entity-metadata';
import { countDecryptFailure } from '../observability/telemetry';
import { bindingSite, type EnvelopeBinding } from './envelope-bindings';
import { requireScope } from './field-error-context';
import type { KeyBinding } from './key-binding';

/** A stored envelope, parsed, before its key is checked. */
interface FoundEnvelope {
  readonly item: number;
  readonly binding: EnvelopeBinding;
  readonly envelope: ParsedEnvelope;
}

/** An envelope with the reader's own entry found, waiting for its data key. */
interface PendingEnvelope extends FoundEnvelope {
  readonly keyArn: string;
  readonly entry: WrapEntry;
}

/** The envelopes (indexes into the pending list) sealed with one data key. */
interface DataKeyGroup {
  readonly keyArn: string;
  readonly wrappedKey: Buffer;
  readonly members: number[];
}

/**
 * The read half of item protection: checks and decrypts a page of items, failing closed. In
 * order, and before any value is assigned:
 *
 * 1. every item must hold each of its envelopes, and no attribute under an encrypted field's name
 *    (a value written in clear); each envelope is parsed (no KMS call);
 * 2. each binding's key is resolved (DescribeKey at most once per key) and every envelope searched
 *    for the entry of the bound key (or of one of the binding's retired keys), so an item under
 *    other keys only costs no Decrypt;
 * 3. each distinct wrapped data key is requested once from the operation's scope, for the reader's
 *    own key (`KeyId` pinned to it);
 * 4. each envelope is opened with one AES-GCM call, whose associated data binds the item's keys
 *    and `@Signed` attributes: an edited, retyped or deleted signed attribute fails here.
 */
export class ItemDecryption {
  private readonly entity: string;
  /** Encrypted attributes of the entity that this reader does not decrypt (a fixture's opt-outs). */
  private readonly optedOut: ReadonlyMap<string, string>;

  constructor(
    private readonly metadata: EntityMetadata,
    private readonly binding: KeyBinding,
    private readonly bindings: readonly EnvelopeBinding[],
  ) {
    this.entity = metadata.entityName;
    const read = new Set(bindings.flatMap((b) => b.fields.map((f) => f.attribute)));
    this.optedOut = new Map(
      metadata.encryptedAttributes
        .filter((a) => !read.has(a.attribute))
        .map((a) => [a.attribute, a.property]),
    );
  }

  /**
   * Checks and decrypts `items` into the matching `targets`. Any failure fails the whole call and
   * assigns nothing: no partial entity, no `undefined` in place of a value.
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
    const activeScope = requireScope(scope, this.entity);
    const pending = await this.findEntries(found, activeScope.signal);
    const keyOf = new Array<Promise<DataKeyMaterial>>(pending.length);
    const firstUse = new Map<Promise<DataKeyMaterial>, PendingEnvelope>();
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
      requests.map(async ([key, value]) => {
        try {
          return await key;
        } catch (error) {
          throw this.contextualise(error, value.binding, value.keyArn);
        }
      }),
    );
    const resolved = new Map(requests.map(([key], i) => [key, materials[i]]));
    const opened = pending.map((value, i) => {
      const key = resolved.get(keyOf[i]) as DataKeyMaterial;
      const { envelope, binding } = value;
      let body: Buffer | undefined;
      try {
        body = openItem(key, envelope, binding.aadOf(envelope.header, items[value.item]));
        const values = decodeSealedBody(body);
        // A fixture storing a field in clear must not drop its sealed value and load it as unset.
        if (this.optedOut.size > 0) {
          for (const attribute of values.keys()) {
            const property = this.optedOut.get(attribute);
            if (property === undefined) continue;
            throw new EncryptionError(
              'ENCRYPTION_NOT_CONFIGURED',
              `the stored ${this.entity} item seals ${property}, which this plaintext fixture stores in clear`,
              { entity: this.entity, field: property },
            );
          }
        }
        return values;
      } catch (error) {
        throw this.contextualise(error, binding, value.keyArn);
      } finally {
        body?.fill(0);
      }
    });
    // Assigned only once every envelope opened: a failure leaves no half-filled entity behind.
    pending.forEach(({ item, binding }, i) => {
      for (const [attribute, value] of opened[i]) {
        // A name this binding no longer seals (a property removed from the class) is dropped.
        const field = binding.byAttribute.get(attribute);
        if (field !== undefined) targets[item][field.property] = value;
      }
    });
  }

  /** Finds and parses every envelope of `items`, refusing items that lack one. */
  private parseAll(items: readonly Item[]): FoundEnvelope[] {
    const found: FoundEnvelope[] = [];
    items.forEach((item, index) => {
      for (const binding of this.bindings) {
        for (const field of binding.fields) {
          if (Object.hasOwn(item, field.attribute)) {
            throw new EncryptionError(
              'PLAINTEXT_IN_ENCRYPTED_FIELD',
              `${this.entity}.${field.property} is stored as an attribute of its own; encrypted values live only in the item's envelope`,
              { entity: this.entity, field: field.property },
            );
          }
        }
        const stored = Object.hasOwn(item, binding.attribute) ? item[binding.attribute] : undefined;
        if (stored === undefined) {
          throw new EncryptionError(
            'INTEGRITY',
            `the stored ${this.entity} item has no envelope (${binding.attribute}): it was written or altered outside theorydb, or read from an index that does not project it (project ALL, or INCLUDE the envelope and the @Signed attributes)`,
            bindingSite(this.entity, binding),
          );
        }
        if (stored.B === undefined || !hasEnvelopeMagic(stored.B)) {
          throw new EncryptionError(
            'MALFORMED_CIPHERTEXT',
            `the stored ${this.entity} item's envelope (${binding.attribute}) is not a theorydb envelope`,
            bindingSite(this.entity, binding),
          );
        }
        let envelope: ParsedEnvelope;
        try {
          envelope = parseEnvelope(stored.B);
        } catch (error) {
          throw error instanceof EncryptionError
            ? error.withContext(bindingSite(this.entity, binding))
            : error;
        }
        found.push({ item: index, binding, envelope });
      }
    });
    return found;
  }

  /**
   * Resolves each binding's key once, then finds in every envelope the entry of that key, or else
   * of one of the binding's retired keys: no KMS call but DescribeKey (once per key, and for a
   * retired key only when an envelope has no entry for the current one).
   */
  private async findEntries(
    found: readonly FoundEnvelope[],
    signal: AbortSignal | undefined,
  ): Promise<PendingEnvelope[]> {
    const arns = new Map<string | undefined, string>();
    for (const { binding } of found) {
      if (!arns.has(binding.keyName)) {
        const arn = await this.binding.keyArn(
          binding.keyName,
          bindingSite(this.entity, binding),
          signal,
        );
        arns.set(binding.keyName, arn);
      }
    }
    const retired = new Map<string, string | undefined>();
    const pending: PendingEnvelope[] = [];
    for (const value of found) {
      const { binding, envelope } = value;
      const current = arns.get(binding.keyName) as string;
      const own = this.binding.fingerprintOf(current);
      const entry = envelope.entries.find((candidate) => candidate.fingerprint.equals(own));
      if (entry !== undefined) {
        pending.push({ ...value, keyArn: current, entry });
        continue;
      }
      const match = await this.retiredEntry(binding, envelope, retired, signal);
      if (match === undefined) {
        throw new EncryptionError(
          'KEY_NOT_ALLOWED',
          `the stored ${this.entity} item was sealed under keys this client does not have bound for it`,
          { ...bindingSite(this.entity, binding), keyArn: current },
        );
      }
      pending.push({ ...value, ...match });
    }
    return pending;
  }

  private async retiredEntry(
    binding: EnvelopeBinding,
    envelope: ParsedEnvelope,
    known: Map<string, string | undefined>,
    signal: AbortSignal | undefined,
  ): Promise<{ keyArn: string; entry: WrapEntry } | undefined> {
    for (const entry of envelope.entries) {
      // The fingerprint is a fixed-length suffix, so no two (key name, fingerprint) pairs collide.
      const id = `${binding.keyName === undefined ? '*' : `=${binding.keyName}`}${entry.fingerprint.toString('hex')}`;
      if (!known.has(id)) {
        known.set(
          id,
          await this.binding.retiredKeyArn(
            binding.keyName,
            entry.fingerprint,
            bindingSite(this.entity, binding),
            signal,
          ),
        );
      }
      const keyArn = known.get(id);
      if (keyArn !== undefined) return { keyArn, entry };
    }
    return undefined;
  }

  private contextualise(error: unknown, binding: EnvelopeBinding, keyArn: string): unknown {
    return error instanceof EncryptionError
      ? error.withContext({ ...bindingSite(this.entity, binding), keyArn })
      : error;
  }
}

/**
 * The pending envelopes grouped by data key, in order of first use. A page is usually sealed
 * with one or a few data keys, so each envelope is compared with the previous one's group before
 * an id is built from its wrapped key.
 */
function groupByDataKey(pending: readonly PendingEnvelope[]): DataKeyGroup[] {
  const groups = new Map<string, DataKeyGroup>();
  let last: DataKeyGroup | undefined;
  pending.forEach((value, index) => {
    const wrapped = value.entry.wrappedKey;
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
