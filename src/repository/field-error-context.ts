import type { DataKeyScope } from '../crypto/data-key-scope';
import { EncryptionError } from '../errors';
import type { AttributeMetadata } from '../metadata/entity-metadata';

/**
 * Names the entity, field and key of an `EncryptionError` raised by a layer that did not know
 * them (the crypto layer sees attributes and data keys, not properties). Other errors pass
 * unchanged. Never adds a value: only names.
 */
export function contextualise(
  error: unknown,
  entity: string,
  field: AttributeMetadata,
  keyArn: string,
): unknown {
  return error instanceof EncryptionError
    ? error.withContext({ entity, field: field.property, keyArn })
    : error;
}

/** Runs `run`, naming the entity, field and key of any `EncryptionError` it throws. */
export async function inFieldContext<R>(
  entity: string,
  field: AttributeMetadata,
  keyArn: string,
  run: () => Promise<R> | R,
): Promise<R> {
  try {
    return await run();
  } catch (error) {
    throw contextualise(error, entity, field, keyArn);
  }
}

/**
 * The operation's data-key scope. Unreachable without one through the repository (every
 * operation opens a scope when fields are encrypted); failing closed here keeps it so if that
 * ever changes.
 */
export function requireScope(scope: DataKeyScope | undefined, entity: string): DataKeyScope {
  if (scope === undefined) {
    throw new EncryptionError('ENCRYPTION_NOT_CONFIGURED', `${entity}: no data-key scope`);
  }
  return scope;
}
