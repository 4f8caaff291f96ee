import { ValidationError } from '../errors';
import type { BatchOperation } from '../errors/batch-incomplete-error';

/** How many groups of duplicates a ValidationError names before it summarises. */
const NAMED_DUPLICATES = 5;

/** Where in a batch call's input a problem is: `Book.batchSave: entities[3]`. */
export interface InputSite {
  readonly className: string;
  readonly operation: BatchOperation;
  /** The name of the input array in the API: `keys` or `entities`. */
  readonly input: 'keys' | 'entities';
}

/** The input array of a batch call, refused with ValidationError when it is not an array. */
export function checkedInput(value: unknown, site: InputSite): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new ValidationError(
      `${site.className}.${site.operation} expects an array of ${site.input}`,
      site.className,
    );
  }
  return value as readonly unknown[];
}

/**
 * Runs `check` on the input at `index`, prefixing the position to a ValidationError so the caller
 * can find the culprit among a thousand inputs. Positions only: messages never hold values.
 */
export function atPosition<R>(site: InputSite, index: number, check: () => R): R {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      `${site.className}.${site.operation}: ${site.input}[${index}]: ${error.message}`,
      error.entity ?? site.className,
      error.property,
    );
  }
}

/**
 * Refuses a call in which two inputs have the same key (`keys[i]` is the canonical key of input
 * i), naming their positions and not their values. DynamoDB refuses a key twice in one request,
 * and across requests the outcome would depend on their order.
 */
export function refuseDuplicateKeys(keys: readonly string[], site: InputSite): void {
  const positions = new Map<string, number[]>();
  keys.forEach((key, index) => {
    const seen = positions.get(key);
    if (seen === undefined) positions.set(key, [index]);
    else seen.push(index);
  });
  const groups = [...positions.values()].filter((group) => group.length > 1);
  if (groups.length === 0) return;
  const named = groups
    .slice(0, NAMED_DUPLICATES)
    .map((group) => group.map((index) => `${site.input}[${index}]`).join(', '));
  const more =
    groups.length > NAMED_DUPLICATES ? ` and ${groups.length - NAMED_DUPLICATES} more groups` : '';
  throw new ValidationError(
    `${site.className}.${site.operation}: the same key appears more than once (${named.join('; ')}${more}); ` +
      'a batch may hold each key once: remove the duplicates',
    site.className,
  );
}
