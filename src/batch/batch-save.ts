import { ValidationError } from '../errors';
import { assertEntityInstance } from '../mapping/entity-instance';
import type { RepositoryContext } from '../repository/repository-context';
import type { RequestOptions } from '../repository/request-options';
import { runOperation } from '../repository/run-operation';
import { applyLifecycle, prepareSave, type SaveRequest } from '../repository/save-request';
import { atPosition, checkedInput, type InputSite, refuseDuplicateKeys } from './batch-input';
import { type WriteUnit, writeBatch } from './batch-write';
import { itemKey } from './item-key';

/** A put of a batch save, with what to copy onto the instance once DynamoDB acknowledged it. */
interface SaveUnit<T> extends WriteUnit<T> {
  readonly save: SaveRequest;
}

/**
 * Saves entities with BatchWriteItem (see `Repository.batchSave`). In order: the preflight; every
 * entity checked (class, keys, attribute types) and duplicate keys refused, before any KMS call;
 * every item mapped and encrypted with the operation's one data-key scope, before the first
 * request; then the writes. `@CreatedAt` / `@UpdatedAt` get one timestamp for the whole batch and
 * are copied onto each instance once DynamoDB acknowledged its put. Versioned entities are
 * refused: BatchWriteItem has no conditions, so it cannot check a version.
 */
export async function batchSaveEntities<T extends object>(
  context: RepositoryContext<T>,
  entities: readonly T[],
  options: RequestOptions = {},
): Promise<T[]> {
  const { metadata } = context;
  const site: InputSite = {
    className: metadata.className,
    operation: 'batchSave',
    input: 'entities',
  };
  return runOperation(
    context,
    'batchSave',
    async (scope) => {
      const input = checkedInput(entities, site) as readonly T[];
      refuseVersioned(context);
      const keys = input.map((entity, index) =>
        atPosition(site, index, () => checkedKey(context, entity)),
      );
      refuseDuplicateKeys(keys, site);
      if (input.length === 0) return [];
      const now = context.now();
      const batchContext: RepositoryContext<T> = { ...context, now: () => now };
      const requests = await Promise.all(
        input.map((entity) => prepareSave(batchContext, entity, {}, scope)),
      );
      const units = requests.map((save, position): SaveUnit<T> => {
        if (save.put.ConditionExpression !== undefined || save.put.Item === undefined) {
          // BatchWriteItem would drop the condition silently; refuse rather than write unchecked.
          throw new Error('theorydb internal error: a batch put came with a condition');
        }
        return {
          position,
          key: itemKey(metadata, save.put.Item),
          request: { PutRequest: { Item: save.put.Item } },
          source: input[position],
          save,
        };
      });
      await writeBatch(
        context,
        'batchSave',
        units,
        (acknowledged) => {
          for (const unit of acknowledged) applyLifecycle(unit.source, unit.save);
        },
        options.abortSignal,
      );
      return [...input];
    },
    { abortSignal: options.abortSignal },
  );
}

function refuseVersioned<T extends object>(context: RepositoryContext<T>): void {
  const { className, version } = context.metadata;
  if (version === undefined) return;
  throw new ValidationError(
    `${className}.batchSave: ${className}.${version.property} is a @Version attribute and ` +
      'BatchWriteItem cannot check versions (it has no conditions); save versioned entities ' +
      'with save(), one by one or in a transaction',
    className,
    version.property,
  );
}

/**
 * Checks everything about one entity that can fail without KMS (its class, its key, the type of
 * every attribute, encrypted ones included) and returns its canonical key.
 */
function checkedKey<T extends object>(context: RepositoryContext<T>, entity: T): string {
  const { metadata, mapper } = context;
  assertEntityInstance(metadata, entity);
  const item = mapper.toItem(entity);
  const source = entity as Record<string, unknown>;
  for (const field of metadata.encryptedAttributes) {
    const value = source[field.property];
    if (value !== undefined && value !== null) field.codec.write(value);
  }
  return itemKey(metadata, item);
}
