import type { AttributeOptions, PropertyRecord, PropertyRole } from '../metadata/declarations';
import { metadataStorage } from '../metadata/metadata-storage';
import { isDecoratorContext } from '../metadata/standard-declarations';

/**
 * A theorydb property decorator. The same function works as a legacy decorator
 * (`experimentalDecorators`, called as `(prototype, key)`) and as a standard one (TypeScript 5.0+
 * without that option, called as `(value, context)`); the call form picks the mode.
 */
export interface TheoryDbPropertyDecorator {
  /** Legacy (`experimentalDecorators`) form. */
  (target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor): void;
  /** Standard (TC39) form. */
  (value: unknown, context: ClassMemberDecoratorContext): void;
}

/**
 * Builds a property decorator that works in both decorator standards from what it records. The
 * record runs against the property's declaration (and its class's prototype): at once for a
 * legacy call; for a standard call once the class is known. Decorators only record; discovery
 * validates at first use, so a mistake is reported with the whole class in view.
 *
 * @example
 * ```ts
 * export function Signed(options: SignedOptions = {}): TheoryDbPropertyDecorator {
 *   return propertyDecorator((declaration) => {
 *     declaration.signed = { ...options };
 *   });
 * }
 * ```
 */
export function propertyDecorator(record: PropertyRecord): TheoryDbPropertyDecorator {
  return function theorydbProperty(
    target: unknown,
    key: unknown,
    descriptor?: PropertyDescriptor,
  ): void {
    if (isDecoratorContext(key)) {
      metadataStorage.recordStandardProperty(key, record);
    } else {
      metadataStorage.recordLegacyProperty(
        target as object,
        key as string | symbol,
        descriptor,
        record,
      );
    }
  } as TheoryDbPropertyDecorator;
}

/** A property decorator that records one role. */
export function roleDecorator(
  role: PropertyRole,
  options: AttributeOptions = {},
): TheoryDbPropertyDecorator {
  return propertyDecorator((declaration) => {
    declaration.roles.push({ role, options: { ...options } });
  });
}
