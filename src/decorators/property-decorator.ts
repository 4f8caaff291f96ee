import type { AttributeOptions, PropertyRole } from '../metadata/declarations';
import { metadataStorage } from '../metadata/metadata-storage';

/**
 * Builds a property decorator that records one role. Decorators only record; discovery validates
 * at first use, so a mistake is reported with the whole class in view.
 */
export function roleDecorator(
  role: PropertyRole,
  options: AttributeOptions = {},
): PropertyDecorator {
  return (prototype, property) => {
    metadataStorage.recordRole(prototype, propertyName(property), role, options);
  };
}

/** Symbol-keyed properties cannot be mapped; discovery reports them by this name. */
export function propertyName(property: string | symbol): string {
  return typeof property === 'string' ? property : `[${property.description ?? 'symbol'}]`;
}
