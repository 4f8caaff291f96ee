import { EncryptionError } from '../errors';
import type { ValueContext } from './associated-data';
import type { DataKeyMaterial } from './data-key';

/**
 * Fill in the entity and key ARN of an `EncryptionError`
 * raised below the per-value layer, which did not know them. Other errors pass unchanged.
 *
 * @example
 * ```ts
 * catch (error) { throw withValueContext(error, key, context); }
 * ```
 */
export function withValueContext(
  error: unknown,
  key: DataKeyMaterial,
  context: ValueContext,
): unknown {
  if (!(error instanceof EncryptionError)) return error;
  return error.withContext({
    entity: context.entity,
    keyArn: key.keyArn,
  });
}
