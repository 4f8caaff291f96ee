import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';
import { describeType } from './attribute-codec';
import { assertEntityInstance } from './entity-instance';

/** A DynamoDB item in its wire form. */
export type Item = Record<string, AttributeValue>;

/**
 * Converts entity instances to items and back, for the plain (unencrypted) attributes. Built once
 * per entity from its metadata; the loops below touch only precomputed arrays and codecs.
 */
export class EntityMapper<T extends object> {
  private readonly plain: readonly AttributeMetadata[];
  private readonly prototype: object;

  constructor(readonly metadata: EntityMetadata<T>) {
    this.plain = metadata.plainAttributes;
    this.prototype = metadata.target.prototype as object;
  }

  /**
   * The plain attributes of `entity`. `overrides` replaces property values (a new version or
   * timestamp) without touching the instance, which is only updated once the write succeeded.
   */
  toItem(entity: T, overrides?: ReadonlyMap<string, unknown>): Item {
    // Every write path checks this first; here again, so no caller can map a subclass instance
    // (whose own metadata may encrypt more) with this entity's metadata.
    assertEntityInstance(this.metadata, entity);
    const source = entity as Record<string, unknown>;
    const item: Item = {};
    for (const a of this.plain) {
      const value = overrides?.has(a.property) ? overrides.get(a.property) : source[a.property];
      if (value === undefined) continue;
      if (value === null) {
        if (a.role === 'partitionKey' || a.role === 'sortKey') throw this.missingKey(a);
        item[a.attribute] = { NULL: true };
        continue;
      }
      const written = a.codec.write(value);
      if (written !== undefined) item[a.attribute] = written;
    }
    for (const key of this.metadata.keyAttributes) {
      const value = item[key.attribute];
      if (value === undefined) throw this.missingKey(key);
      if (isEmptyKey(value)) throw this.emptyKey(key);
    }
    return item;
  }

  /** A real instance of the entity class with the plain attributes of `item`. */
  fromItem(item: Item): T {
    const entity = Object.create(this.prototype) as Record<string, unknown>;
    for (const a of this.plain) {
      // Own properties only: an absent attribute named like `toString` is not inherited junk.
      const stored = Object.hasOwn(item, a.attribute) ? item[a.attribute] : undefined;
      if (stored === undefined) continue;
      entity[a.property] = stored.NULL === true ? null : a.codec.read(stored);
    }
    return entity as T;
  }

  /**
   * The key attributes named by a key object such as `{ pk: 'a', sk: 'b' }`. Every key property
   * must be present with the right type, and nothing else may be given, so a typo cannot turn a
   * lookup into another one.
   */
  key(keyObject: unknown): Item {
    const { className, keyAttributes } = this.metadata;
    if (typeof keyObject !== 'object' || keyObject === null) {
      throw new ValidationError(
        `${className}: a key must be an object of the key properties (${this.keyNames()}), got ${describeType(keyObject)}`,
        className,
      );
    }
    const source = keyObject as Record<string, unknown>;
    for (const property of Object.keys(source)) {
      if (!keyAttributes.some((k) => k.property === property)) {
        throw new ValidationError(
          `${className}: '${property}' is not a key property; a key has ${this.keyNames()}`,
          className,
          property,
        );
      }
    }
    const key: Item = {};
    for (const a of keyAttributes) {
      const value = source[a.property];
      if (value === undefined || value === null) throw this.missingKey(a);
      key[a.attribute] = this.keyValue(a, value);
    }
    return key;
  }

  /** The key attributes of an item (plain values, as DynamoDB returned them). */
  keyOfItem(item: Item): Item {
    const key: Item = {};
    for (const a of this.metadata.keyAttributes) key[a.attribute] = item[a.attribute];
    return key;
  }

  private keyValue(a: AttributeMetadata, value: unknown): AttributeValue {
    const written = a.codec.write(value) as AttributeValue;
    if (isEmptyKey(written)) throw this.emptyKey(a);
    return written;
  }

  private emptyKey(a: AttributeMetadata): ValidationError {
    return new ValidationError(
      `${this.metadata.className}.${a.property} is a key property and must not be empty`,
      this.metadata.className,
      a.property,
    );
  }

  private keyNames(): string {
    return this.metadata.keyAttributes.map((k) => k.property).join(', ');
  }

  private missingKey(a: AttributeMetadata): ValidationError {
    return new ValidationError(
      `${this.metadata.className}.${a.property} is a key property and must be set`,
      this.metadata.className,
      a.property,
    );
  }
}

/** DynamoDB refuses empty strings and empty binaries as key values. */
function isEmptyKey(value: AttributeValue): boolean {
  return value.S === '' || (value.B !== undefined && value.B.byteLength === 0);
}

const mappers = new WeakMap<EntityMetadata, EntityMapper<object>>();

/** The mapper of an entity, compiled once. */
export function mapperFor<T extends object>(metadata: EntityMetadata<T>): EntityMapper<T> {
  let mapper = mappers.get(metadata);
  if (mapper === undefined) {
    mapper = new EntityMapper(metadata);
    mappers.set(metadata, mapper);
  }
  return mapper as unknown as EntityMapper<T>;
}
