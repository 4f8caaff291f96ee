import type { Constructor, EntityOptions } from '../metadata/declarations';
import { metadataStorage } from '../metadata/metadata-storage';
import { isDecoratorContext } from '../metadata/standard-declarations';

/**
 * A theorydb class decorator, legacy (`(Cls)`) and standard (`(Cls, context)`) in one function;
 * the call form picks the mode.
 */
export interface TheoryDbClassDecorator {
  /** Legacy (`experimentalDecorators`) form. */
  (target: abstract new (...args: never[]) => unknown): void;
  /** Standard (TC39) form. */
  (value: abstract new (...args: never[]) => unknown, context: ClassDecoratorContext): void;
}

/**
 * Declares a class as an entity stored in a DynamoDB table.
 *
 * @example
 * ```ts
 * @Entity({ table: 'users', name: 'User' })
 * class User {
 *   @PartitionKey() id!: string;
 *   @Attribute() email!: string;
 * }
 * ```
 */
export function Entity(options: EntityOptions): TheoryDbClassDecorator {
  return function theorydbEntity(target: unknown, context?: unknown): void {
    const record = (declaration: { entity: EntityOptions | undefined }) => {
      declaration.entity = { ...options };
    };
    if (isDecoratorContext(context)) {
      metadataStorage.recordClass(target as Constructor, 'standard', record, context.metadata);
    } else {
      metadataStorage.recordClass(target as Constructor, 'legacy', record);
    }
  };
}
