import { ValidationError } from '../errors';
import { loadItems } from '../repository/load-items';
import type { RepositoryContext } from '../repository/repository-context';
import { runOperation } from '../repository/run-operation';
import { itemFromStreamImage } from './stream-image';

/**
 * `Repository.fromStreamImage`: a stream image as a decrypted entity instance, under the same
 * fail-closed rules as a read (preflight, one data-key scope, every envelope checked before KMS is
 * asked, no partial entity).
 */
export async function entityFromStreamImage<T extends object>(
  context: RepositoryContext<T>,
  image: unknown,
): Promise<T> {
  const { metadata } = context;
  const item = itemFromStreamImage(image, metadata.className);
  for (const key of metadata.keyAttributes) {
    if (!Object.hasOwn(item, key.attribute) || item[key.attribute] === undefined) {
      throw new ValidationError(
        `${metadata.className}.fromStreamImage: the image has no key attribute "${key.attribute}"`,
        metadata.className,
        key.property,
      );
    }
  }
  return runOperation(context, 'fromStreamImage', async (scope) => {
    const [entity] = await loadItems(context, [item], scope);
    return entity;
  });
}
