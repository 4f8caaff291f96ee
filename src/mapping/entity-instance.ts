import { ValidationError } from '../errors';
import type { EntityMetadata } from '../metadata/entity-metadata';

/**
 * Refuses, with `ValidationError` (`VALIDATION`), anything but an instance of exactly the entity
 * class `metadata` was built from. Every write of an entity instance (save, batchSave, a
 * transaction's save, the mapper) goes through this one check.
 *
 * Why exactly, and not `instanceof`: the metadata decides which properties are encrypted. A
 * subclass may encrypt a property its base stores in clear, or add encrypted properties of its
 * own; mapped with the base's metadata, those would be written in clear. So a subclass instance is
 * written only by the repository of its own class. The prototype decides, not a `constructor`
 * property, which any object can carry. The message names classes, never values.
 */
export function assertEntityInstance(
  metadata: EntityMetadata,
  entity: unknown,
  operation?: string,
): void {
  if (
    typeof entity === 'object' &&
    entity !== null &&
    Object.getPrototypeOf(entity) === metadata.target.prototype
  ) {
    return;
  }
  const { className } = metadata;
  const expects =
    operation === undefined
      ? `expected an instance of ${className}`
      : `${className}.${operation} expects an instance of ${className}`;
  throw new ValidationError(`${expects}${otherClass(metadata, entity)}`, className);
}

/** The class of a class instance that is not the entity's, for the message; '' otherwise. */
function otherClass(metadata: EntityMetadata, entity: unknown): string {
  if (typeof entity !== 'object' || entity === null) return '';
  const prototype = Object.getPrototypeOf(entity) as object | null;
  if (prototype === null || prototype === Object.prototype) return '';
  const owner = Object.hasOwn(prototype, 'constructor')
    ? (prototype as { constructor: unknown }).constructor
    : undefined;
  const name = typeof owner === 'function' && owner.name !== '' ? owner.name : 'an anonymous class';
  if (entity instanceof metadata.target) {
    return (
      `, not of its subclass ${name}: a repository writes instances of exactly its class; ` +
      `save a subclass through its own repository (db.repository(${name}))`
    );
  }
  return `, not of ${name}`;
}
