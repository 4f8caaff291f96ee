import { inspect } from 'node:util';
import { Transform } from 'class-transformer';

/** What encrypted properties show in logs, JSON and `util.inspect`. */
export const REDACTED = '[REDACTED]';

// The properties declared encrypted on each prototype. A prototype's printed forms redact the
// names of its whole chain, so a subclass also hides what its base classes encrypt.
const ownNames = new WeakMap<object, Set<string>>();

const redactForClassTransformer = Transform(
  ({ value }: { value: unknown }) => (value === undefined ? undefined : REDACTED),
  { toPlainOnly: true },
);

/**
 * Hides an encrypted property from every printed form of its class's instances, the moment
 * `@Encrypted` is recorded: before the class is first used and whatever order the decorators ran
 * in (plain JavaScript may apply `Entity(...)` first). The property keeps the plaintext for the
 * application; what prints is `[REDACTED]`:
 * - `toJSON` and `util.inspect.custom` on the prototype, unless the class defines its own;
 * - a class-transformer `@Transform` for `instanceToPlain`, which NestJS's
 *   `ClassSerializerInterceptor` runs on every response.
 */
export function redactProperty(prototype: object, property: string): void {
  let names = ownNames.get(prototype);
  if (names === undefined) {
    names = new Set();
    ownNames.set(prototype, names);
    installPrintedForms(prototype);
  }
  if (names.has(property)) return;
  names.add(property);
  redactForClassTransformer(prototype, property);
}

function installPrintedForms(prototype: object): void {
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
        const display = displayClass((this.constructor as { name?: string }).name ?? '');
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
  const secret = namesOf(entity);
  const out = into as Record<string, unknown>;
  for (const [key, value] of Object.entries(entity)) {
    out[key] = secret.has(key) && value !== undefined ? REDACTED : value;
  }
  return into;
}

/** The encrypted property names along the entity's prototype chain. */
function namesOf(entity: object): ReadonlySet<string> {
  const names = new Set<string>();
  for (
    let p = Object.getPrototypeOf(entity) as object | null;
    p !== null;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    for (const name of ownNames.get(p) ?? []) names.add(name);
  }
  return names;
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
