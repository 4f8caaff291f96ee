import { ValidationError } from '../errors';
import type { Constructor } from '../metadata/declarations';
import { metadataStorage } from '../metadata/metadata-storage';
import type { CodecSite } from './attribute-codec';

/**
 * Refuses, with `ValidationError` (`VALIDATION`) naming the attribute, a value that is or holds,
 * at any depth, an instance of a class with theorydb metadata: an entity, an embedded class, or a
 * subclass of either.
 *
 * Why: the codecs that take arbitrary values (class-transformer classes, `{ type: Object }`, lists
 * of those) serialise every property they find. An entity inside such a value would be written
 * with its decrypted `@Encrypted` fields in clear, because only the entity's own repository knows
 * which of its properties to encrypt. An entity is saved through its repository; a nested class
 * is declared with `@Attribute` properties (and cannot hold encrypted ones).
 *
 * The walk is iterative (no stack limit), visits each object once (cycles end), and looks into
 * arrays, Maps (keys and values), Sets and the own enumerable properties of other objects: what
 * `@aws-sdk/util-dynamodb` and class-transformer read. Not walked: values reachable only through
 * accessors (a class-transformer `@Expose()` getter), and the contents of binaries and Dates,
 * which cannot hold objects. The message names the class found, never a value or a path (map keys
 * are data).
 */
export function refuseNestedEntities(site: CodecSite, value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const found = nestedEntityClass(value);
  if (found !== undefined) throw nestedEntityError(site, found);
}

/**
 * Refuses `value` itself when its class carries theorydb metadata and is not `allowed`, without
 * looking inside it: for embedded values, whose properties are mapped (and checked) by their own
 * codecs.
 */
export function refuseForeignEntityClass(
  site: CodecSite,
  value: object,
  allowed: Constructor<object>,
): void {
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === allowed.prototype || isBuiltinPrototype(prototype)) return;
  const found = metadataStorage.decoratedClassOf(prototype as object);
  if (found !== undefined) throw nestedEntityError(site, found);
}

/** The name of the first class with theorydb metadata found in `root`, or undefined. */
export function nestedEntityClass(root: object): string | undefined {
  const pending: object[] = [root];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const current = pending.pop() as object;
    if (seen.has(current)) continue;
    seen.add(current);
    // Binaries and Dates hold no objects; skipping them first keeps Buffers off the lookup.
    if (ArrayBuffer.isView(current) || current instanceof Date) continue;
    const prototype = Object.getPrototypeOf(current) as object | null;
    if (!isBuiltinPrototype(prototype)) {
      const found = metadataStorage.decoratedClassOf(prototype as object);
      if (found !== undefined) return found;
    }
    if (Array.isArray(current)) {
      for (const element of current as unknown[]) push(pending, element);
    } else if (current instanceof Map) {
      for (const [key, element] of current as Map<unknown, unknown>) {
        push(pending, key);
        push(pending, element);
      }
    } else if (current instanceof Set) {
      for (const element of current as Set<unknown>) push(pending, element);
    } else {
      const record = current as Record<string, unknown>;
      for (const key of Object.keys(record)) push(pending, record[key]);
    }
  }
  return undefined;
}

function push(pending: object[], value: unknown): void {
  if (typeof value === 'object' && value !== null) pending.push(value);
}

const BUILTIN_PROTOTYPES: ReadonlySet<object | null> = new Set<object | null>([
  null,
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
]);

/** Plain objects and the built-in containers: no theorydb metadata, no lookup needed. */
function isBuiltinPrototype(prototype: object | null): boolean {
  return BUILTIN_PROTOTYPES.has(prototype);
}

function nestedEntityError(site: CodecSite, className: string): ValidationError {
  return new ValidationError(
    `${site.entity}.${site.property} holds an instance of ${className}, a class with theorydb ` +
      'decorators; such an instance is never serialised inside another value (its encrypted ' +
      'fields would be written in clear): save an entity through its own repository, and declare ' +
      'a nested class as the property type',
    site.entity,
    site.property,
  );
}
