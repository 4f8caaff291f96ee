/**
 * Resolved metadata is shared by every TheoryDb in the process, and the pipelines read it on
 * every operation, so nothing a caller can reach from it may be writable: one
 * `encryptedAttributes.splice(0)` would otherwise switch encryption off process-wide.
 */

/**
 * A read-only map. `Object.freeze` does not stop `Map.prototype.set`, so the entries live in a
 * native private field, where neither the methods of `Map` nor any other code can write them.
 */
export class ImmutableMap<K, V> implements ReadonlyMap<K, V> {
  readonly #entries: Map<K, V>;

  constructor(entries: Iterable<readonly [K, V]>) {
    this.#entries = new Map(entries);
    Object.freeze(this);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#entries) callback.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[K, V]> {
    return this.#entries.entries();
  }

  keys(): MapIterator<K> {
    return this.#entries.keys();
  }

  values(): MapIterator<V> {
    return this.#entries.values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#entries[Symbol.iterator]();
  }
}

// The prototype is as reachable as the maps (`Object.getPrototypeOf(metadata.byProperty)`), and
// the pipelines call its methods: one `get` replaced there would hand every pipeline attributes
// without their encryption. The class and its prototype are frozen with the maps.
Object.freeze(ImmutableMap.prototype);
Object.freeze(ImmutableMap);

/**
 * Freezes `root` and every object and array reachable from it, including the values of
 * {@link ImmutableMap}s. Functions are left as they are: they are the application's classes and
 * the codecs' methods, whose state lives in closures no caller can reach.
 */
export function deepFreeze<T>(root: T): T {
  const seen = new Set<object>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (value instanceof Map) {
      throw new Error('theorydb internal error: metadata holds a Map; use ImmutableMap');
    }
    Object.freeze(value);
    pending.push(...(value instanceof ImmutableMap ? value.values() : Object.values(value)));
  }
  return root;
}
