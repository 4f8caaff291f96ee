import { inspect } from 'node:util';
import type { Constructor } from './declarations';

/** What encrypted properties show in logs, JSON and `util.inspect`. */
export const REDACTED = '[REDACTED]';

const redactedNames = new WeakMap<object, ReadonlySet<string>>();

/**
 * Gives an entity class a `toJSON` and a `util.inspect.custom` that print `[REDACTED]` for its
 * encrypted properties, unless the class defines its own. The properties themselves keep the
 * plaintext for the application; only the printed forms are redacted, so a stray
 * `console.log(user)` or `JSON.stringify(user)` cannot leak a secret. Runs once per class, when
 * `@Entity` is applied.
 */
export function installRedaction(target: Constructor, encryptedProperties: readonly string[]) {
  if (encryptedProperties.length === 0) return;
  const prototype = target.prototype as Record<PropertyKey, unknown>;
  redactedNames.set(prototype, new Set(encryptedProperties));
  const display = displayClass(target.name);
  if (!Object.prototype.hasOwnProperty.call(prototype, 'toJSON')) {
    Object.defineProperty(prototype, 'toJSON', {
      value: function toJSON(this: object) {
        return redactedCopy(this, Object.create(Object.prototype) as object);
      },
      writable: true,
      configurable: true,
    });
  }
  if (!Object.prototype.hasOwnProperty.call(prototype, inspect.custom)) {
    Object.defineProperty(prototype, inspect.custom, {
      value: function inspectRedacted(
        this: object,
        _depth: number,
        options: object,
        nodeInspect: typeof inspect,
      ) {
        return (nodeInspect ?? inspect)(redactedCopy(this, new display()), options);
      },
      writable: true,
      configurable: true,
    });
  }
}

/**
 * A plain object with every own enumerable property of an entity, encrypted ones included, in
 * clear. This is the explicit way to get the values out for an API response or a test; the
 * result is not redacted, so never log it.
 *
 * @example
 * ```ts
 * const credential = await repo.get({ id: 'c1' });
 * console.log(credential);                  // Credential { id: 'c1', secret: '[REDACTED]' }
 * const plain = plainWithSecrets(credential); // { id: 'c1', secret: 's3cr3t' }
 * ```
 */
export function plainWithSecrets<T extends object>(entity: T): Record<string, unknown> {
  return { ...(entity as Record<string, unknown>) };
}

function redactedCopy<T extends object>(entity: object, into: T): T {
  const secret = redactedNames.get(Object.getPrototypeOf(entity) as object) ?? findNames(entity);
  const out = into as Record<string, unknown>;
  for (const [key, value] of Object.entries(entity)) {
    out[key] = secret.has(key) && value !== undefined ? REDACTED : value;
  }
  return into;
}

/** For subclasses of an entity: the nearest prototype with redaction names. */
function findNames(entity: object): ReadonlySet<string> {
  for (
    let p = Object.getPrototypeOf(entity) as object | null;
    p !== null;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    const names = redactedNames.get(p);
    if (names !== undefined) return names;
  }
  return new Set();
}

const displayClasses = new Map<string, new () => object>();

/** An empty class with the entity's name, so inspect output still reads `User { ... }`. */
function displayClass(name: string): new () => object {
  let display = displayClasses.get(name);
  if (display === undefined) {
    display = { [name]: class {} }[name];
    displayClasses.set(name, display);
  }
  return display;
}
