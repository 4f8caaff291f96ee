import { ValidationError } from './validation-error';

/**
 * Decrypts, when first asked, the item a failed conditional write returned
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`): `undefined` when no item was stored.
 */
export type StoredItemLoader = () => Promise<object | undefined>;

// Module-private slots rather than properties: the loader closes over the raw item (its key
// values and ciphertexts), which no property, `util.inspect`, `JSON.stringify` or error tracker
// walking the error's own properties can reach this way.
const single = new WeakMap<object, StoredItemLoader>();
const byAction = new WeakMap<object, ReadonlyMap<number, StoredItemLoader>>();

/** @internal Gives `error` the loader of the stored item its write was refused against. */
export function keepStoredItem(error: object, loader: StoredItemLoader | undefined): void {
  if (loader !== undefined) single.set(error, loader);
}

/** @internal Gives a cancelled transaction the loaders of its failed actions, by index. */
export function keepStoredItems(error: object, loaders: ReadonlyMap<number, StoredItemLoader>) {
  if (loaders.size > 0) byAction.set(error, loaders);
}

/** @internal The stored item of a failed write, or a VALIDATION rejection if none was asked for. */
export function storedItemOf<E>(error: object, what: string): Promise<E | undefined> {
  const loader = single.get(error);
  if (loader === undefined) return notAskedFor(what);
  return loader() as Promise<E | undefined>;
}

/** @internal The stored item of action `index` of a cancelled transaction. */
export function storedItemOfAction<E>(error: object, index: number): Promise<E | undefined> {
  const loader = byAction.get(error)?.get(index);
  if (loader === undefined) return notAskedFor(`action ${index} of this transaction`);
  return loader() as Promise<E | undefined>;
}

function notAskedFor(what: string): Promise<never> {
  return Promise.reject(
    new ValidationError(
      `storedItem(): ${what} did not ask for the stored item; pass { returnOnConditionFailure: true } to the write (a conditional one: the item comes back only when its condition fails)`,
    ),
  );
}
