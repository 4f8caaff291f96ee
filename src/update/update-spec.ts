import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { ConditionInput } from '../expressions/condition-builder';
import { PathResolver } from '../expressions/path-resolver';
import { describeType } from '../mapping/attribute-codec';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';
import type { UpdateAction } from './render-update';
import type { ConditionFailureOptions } from '../repository/condition-failure-options';
import type { RequestOptions } from '../repository/request-options';

type DataProperties<T> = {
  [K in keyof T & string]: T[K] extends (...args: never[]) => unknown ? never : K;
}[keyof T & string];

type AddValue<V> =
  NonNullable<V> extends number | bigint
    ? number | bigint
    : NonNullable<V> extends Set<infer E>
      ? Set<E>
      : never;

type AppendValue<V> = NonNullable<V> extends readonly (infer E)[] ? readonly E[] : never;

/**
 * The changes of one update. A property may appear in one section only; key properties and the
 * properties theorydb maintains (`@Version`, `@CreatedAt`, `@UpdatedAt`) in none. `set`, `add` and
 * `append` are plain objects (an entity instance, or any other class instance, is refused with
 * `VALIDATION`), and name only properties the entity declares.
 *
 * @example
 * ```ts
 * const changes: UpdateChanges<Order> = {
 *   set: { status: 'paid', note: null }, // null stores NULL
 *   remove: ['discountCode'],
 *   add: { items: 1, tags: new Set(['paid']) }, // numbers and sets
 *   append: { history: ['paid'] }, // lists
 * };
 * ```
 */
export interface UpdateChanges<T> {
  /**
   * New values, stored as `save` would store them: `null` stores NULL, an empty `Set` removes the
   * attribute (DynamoDB cannot store an empty set), and `undefined` is refused (use `remove`).
   * Encrypted properties are encrypted, bound to the item being updated.
   */
  set?: { [K in DataProperties<T>]?: T[K] | null };
  /** Properties whose attributes are removed; allowed on encrypted properties. */
  remove?: readonly DataProperties<T>[];
  /** Adds to a number (or bigint) property, or adds elements to a `Set` property. */
  add?: { [K in DataProperties<T>]?: AddValue<T[K]> };
  /** Appends elements to an array (list) property; a missing list is created. */
  append?: { [K in DataProperties<T>]?: AppendValue<T[K]> };
}

/**
 * Options of an update in a transaction (`tx.update`) and the base of {@link UpdateOptions}.
 *
 * @example
 * ```ts
 * const options: TransactionUpdateOptions<Order> = {
 *   expectedVersion: 3,
 *   condition: (c) => c.eq('status', 'open'),
 * };
 * ```
 */
export interface TransactionUpdateOptions<T> extends ConditionFailureOptions {
  /** Update only if the stored item meets this condition; otherwise `CONDITION_FAILED`. */
  condition?: ConditionInput<T>;
  /**
   * With `@Version`: update only if the stored version is this one; otherwise `VERSION_CONFLICT`.
   * Without it, the update applies to whatever version is stored (and still increments it).
   */
  expectedVersion?: number;
}

/**
 * Options of `Repository.update`.
 *
 * @example
 * ```ts
 * await orders.update(key, { set: { status: 'paid' } }, { returnValues: 'none' }); // undefined
 * ```
 */
export interface UpdateOptions<T> extends TransactionUpdateOptions<T>, RequestOptions {
  /** `'allNew'` (default): resolve to the updated entity, decrypted. `'none'`: to undefined. */
  returnValues?: 'allNew' | 'none';
}

/** A checked update: plain actions ready to render, and encrypted values still to seal. */
export interface UpdatePlan {
  readonly actions: readonly UpdateAction[];
  /** The `set` values of encrypted properties, by property, to encrypt for the target item. */
  readonly sealed: Readonly<Record<string, unknown>>;
}

const SECTIONS = ['set', 'remove', 'add', 'append'] as const;

/**
 * Checks the changes of an update against the entity and turns them into actions, with no I/O:
 * unknown, key and maintained properties are refused with `ValidationError`, and `add` or `append`
 * on an encrypted property with `ENCRYPTED_FIELD_NOT_QUERYABLE` (DynamoDB would compute on its
 * ciphertext), all before anything is sent.
 */
export function planUpdate(metadata: EntityMetadata, changes: unknown): UpdatePlan {
  const { className } = metadata;
  if (typeof changes !== 'object' || changes === null) {
    throw new ValidationError(
      `${className}.update expects an object of changes ({ set, remove, add, append })`,
      className,
    );
  }
  const given = changes as Record<string, unknown>;
  for (const section of Object.keys(given)) {
    if (!(SECTIONS as readonly string[]).includes(section)) {
      throw new ValidationError(
        `${className}.update: unknown section '${section}'; use set, remove, add or append`,
        className,
      );
    }
  }
  const paths = new PathResolver(metadata);
  const seen = new Set<string>();
  const actions: UpdateAction[] = [];
  const sealed: Record<string, unknown> = {};
  const claim = (property: string, usage: string, allowEncrypted: boolean) => {
    const attribute = paths.resolve(property, usage, allowEncrypted).attribute;
    assertUpdatable(metadata, attribute);
    if (seen.has(property)) {
      throw new ValidationError(
        `${className}.${property} appears more than once in one update`,
        className,
        property,
      );
    }
    seen.add(property);
    return attribute;
  };

  for (const [property, value] of entries(metadata, given.set, 'set')) {
    const attribute = claim(property, 'an update', true);
    if (value === undefined) {
      throw new ValidationError(
        `${className}.${property}: set to undefined; use remove to delete an attribute`,
        className,
        property,
      );
    }
    if (attribute.encryption !== undefined) {
      // Type-checked now, so a mistake throws at the call; encrypted for the item when prepared.
      if (value !== null) attribute.codec.write(value);
      sealed[property] = value;
      continue;
    }
    const written = value === null ? { NULL: true } : attribute.codec.write(value);
    actions.push(
      written === undefined
        ? { kind: 'remove', attribute: attribute.attribute }
        : { kind: 'set', attribute: attribute.attribute, value: written },
    );
  }
  for (const property of removals(metadata, given.remove)) {
    const attribute = claim(property, 'an update remove', true);
    actions.push({ kind: 'remove', attribute: attribute.attribute });
  }
  for (const [property, value] of entries(metadata, given.add, 'add')) {
    const attribute = claim(property, 'an update add', false);
    actions.push({
      kind: 'add',
      attribute: attribute.attribute,
      value: addend(metadata, attribute, value),
    });
  }
  for (const [property, value] of entries(metadata, given.append, 'append')) {
    const attribute = claim(property, 'an update append', false);
    actions.push({
      kind: 'append',
      attribute: attribute.attribute,
      value: elements(metadata, attribute, value),
    });
  }
  if (seen.size === 0) {
    throw new ValidationError(`${className}.update: no changes given`, className);
  }
  return { actions, sealed };
}

function assertUpdatable(metadata: EntityMetadata, attribute: AttributeMetadata): void {
  const { className } = metadata;
  const where = `${className}.${attribute.property}`;
  if (attribute.role === 'partitionKey' || attribute.role === 'sortKey') {
    throw new ValidationError(
      `${where} is a key attribute and cannot be updated; save a new item and delete the old one`,
      className,
      attribute.property,
    );
  }
  if (
    attribute.role === 'version' ||
    attribute.role === 'createdAt' ||
    attribute.role === 'updatedAt'
  ) {
    throw new ValidationError(
      `${where} is maintained by theorydb (@${roleName(attribute.role)}) and cannot be updated`,
      className,
      attribute.property,
    );
  }
}

function roleName(role: 'version' | 'createdAt' | 'updatedAt'): string {
  return role === 'version' ? 'Version' : role === 'createdAt' ? 'CreatedAt' : 'UpdatedAt';
}

/**
 * The properties and values of a `set`, `add` or `append` section, which must be a plain object.
 * Not a class instance: an instance of a subclass of the entity, say, whose own metadata encrypts
 * a property this entity stores in clear, would otherwise be written by this entity's rules.
 */
function entries(metadata: EntityMetadata, section: unknown, name: string): [string, unknown][] {
  if (section === undefined) return [];
  if (!isPlainObject(section)) {
    throw new ValidationError(
      `${metadata.className}.update: '${name}' must be a plain object of properties and values, ` +
        `got ${describeType(section)}`,
      metadata.className,
    );
  }
  return Object.entries(section);
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function removals(metadata: EntityMetadata, section: unknown): string[] {
  if (section === undefined) return [];
  if (!Array.isArray(section) || section.some((p) => typeof p !== 'string')) {
    throw new ValidationError(
      `${metadata.className}.update: 'remove' must be an array of property names`,
      metadata.className,
    );
  }
  return section as string[];
}

function addend(
  metadata: EntityMetadata,
  attribute: AttributeMetadata,
  value: unknown,
): AttributeValue {
  const { className } = metadata;
  const { property, codec } = attribute;
  if (codec.kind === 'number' || codec.kind === 'bigint') {
    if (typeof value === 'bigint') return { N: value.toString() };
    if (typeof value === 'number' && Number.isFinite(value)) return { N: String(value) };
    throw new ValidationError(
      `${className}.${property}: add needs a finite number or a bigint, got ${describeType(value)}`,
      className,
      property,
    );
  }
  if (codec.kind === 'Set') {
    if (!(value instanceof Set) || value.size === 0) {
      throw new ValidationError(
        `${className}.${property}: add needs a non-empty Set, got ${describeType(value)}`,
        className,
        property,
      );
    }
    return codec.write(value) as AttributeValue;
  }
  throw new ValidationError(
    `${className}.${property}: add works on number and Set properties, not ${codec.kind}`,
    className,
    property,
  );
}

function elements(
  metadata: EntityMetadata,
  attribute: AttributeMetadata,
  value: unknown,
): AttributeValue {
  const { className } = metadata;
  const { property, codec } = attribute;
  if (codec.kind !== 'Array') {
    throw new ValidationError(
      `${className}.${property}: append works on array (list) properties, not ${codec.kind}`,
      className,
      property,
    );
  }
  if (!Array.isArray(value)) {
    throw new ValidationError(
      `${className}.${property}: append needs an array, got ${describeType(value)}`,
      className,
      property,
    );
  }
  return codec.write(value) as AttributeValue;
}
