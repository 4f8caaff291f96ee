import type { DataKeyMaterial } from './data-key';

/**
 * The bounds of a {@link BoundedKeyEntries}.
 *
 * @example
 * ```ts
 * const limits: KeyEntryLimits = { maxAgeMs: 60_000, maxUses: 1000, maxEntries: 1000 };
 * ```
 */
export interface KeyEntryLimits {
  readonly maxAgeMs: number;
  readonly maxUses: number;
  readonly maxEntries: number;
}

interface Entry {
  readonly material: Promise<DataKeyMaterial>;
  /** When the KMS request started: the age bound errs on the side of expiring early. */
  readonly createdAt: number;
  uses: number;
}

/**
 * Data keys by id, each usable for at most `maxUses` calls and `maxAgeMs` milliseconds, at most
 * `maxEntries` of them (least recently used first out). A miss starts one load that concurrent
 * callers share; a use is counted when it is handed out, before the load settles, so concurrent
 * callers can never take more than `maxUses` from one entry. A failed load is dropped.
 *
 * @example
 * ```ts
 * const entries = new BoundedKeyEntries(limits, Date.now);
 * const key = await entries.use(id, () => provider.generateDataKey(keyArn, table));
 * ```
 */
export class BoundedKeyEntries {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly limits: KeyEntryLimits,
    private readonly now: () => number,
    /** Told of each lookup: `true` when a live entry served it, `false` when a load started. */
    private readonly onLookup?: (hit: boolean) => void,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** Take one use of the entry `id`, loading it (once, shared) when missing, expired or used up. */
  use(id: string, load: () => Promise<DataKeyMaterial>): Promise<DataKeyMaterial> {
    return this.useMany(id, 1, load)[0];
  }

  /**
   * Take `count` uses of the entry `id`: the keys `count` calls of {@link use} in a row hand out
   * (a new load each time an entry is used up), with one lookup per entry rather than one per use.
   * A page of values sealed with one data key takes its uses in one call. One difference: an
   * entry loaded and used up within the call never enters the map, so it evicts nothing.
   */
  useMany(
    id: string,
    count: number,
    load: () => Promise<DataKeyMaterial>,
  ): Promise<DataKeyMaterial>[] {
    const time = this.now();
    const keys = new Array<Promise<DataKeyMaterial>>(count);
    let given = 0;
    while (given < count) {
      const entry = this.takeEntry(id, time, load);
      // An entry in the map always has a use left, so every round gives at least one.
      const granted = Math.min(count - given, this.limits.maxUses - entry.uses);
      entry.uses += granted;
      for (const end = given + granted; given < end; given += 1) keys[given] = entry.material;
      if (entry.uses < this.limits.maxUses) this.insert(id, entry);
    }
    return keys;
  }

  /** Add an already available key (a freshly generated one, for reading back what was written). */
  seed(id: string, material: DataKeyMaterial, createdAt: number): void {
    if (this.#entries.has(id)) return;
    this.insert(id, { material: Promise.resolve(material), createdAt, uses: 0 });
  }

  clear(): void {
    this.#entries.clear();
  }

  /**
   * The live entry `id`, taken out of the map (the caller re-inserts it, as most recently used,
   * while it has uses left), or a new one whose load has started.
   */
  private takeEntry(id: string, time: number, load: () => Promise<DataKeyMaterial>): Entry {
    const entry = this.#entries.get(id);
    if (entry !== undefined) {
      this.#entries.delete(id);
      if (time - entry.createdAt < this.limits.maxAgeMs) {
        this.onLookup?.(true);
        return entry;
      }
    }
    this.onLookup?.(false);
    const fresh: Entry = { material: settle(load), createdAt: time, uses: 0 };
    this.forgetOnFailure(id, fresh);
    return fresh;
  }

  private insert(id: string, entry: Entry): void {
    this.#entries.set(id, entry);
    while (this.#entries.size > this.limits.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  private forgetOnFailure(id: string, entry: Entry): void {
    entry.material.catch(() => {
      if (this.#entries.get(id) === entry) this.#entries.delete(id);
    });
  }
}

/** `load()` as a promise even if it throws synchronously (the executor turns a throw into a rejection). */
function settle(load: () => Promise<DataKeyMaterial>): Promise<DataKeyMaterial> {
  return new Promise((resolve) => resolve(load()));
}
