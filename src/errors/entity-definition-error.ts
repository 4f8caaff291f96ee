import { TheoryDbError } from './theorydb-error';

/**
 * An entity class is declared in a way theorydb cannot use: no `@Entity`, no partition key, an
 * encrypted key attribute, a type that cannot be mapped, and so on. Thrown once, at the first use
 * of the class, with the class and the property named and the fix suggested.
 *
 * @example
 * ```ts
 * // EntityDefinitionError: User.email: @Encrypted cannot be used on a key attribute ...
 * ```
 */
export class EntityDefinitionError extends TheoryDbError {
  readonly code = 'ENTITY_DEFINITION' as const;

  constructor(
    message: string,
    /** The class name. */
    readonly entity: string,
    /** The property at fault, when there is one. */
    readonly property?: string,
  ) {
    super(message);
  }

  static at(entity: string, property: string | undefined, problem: string): EntityDefinitionError {
    const where = property === undefined ? entity : `${entity}.${property}`;
    return new EntityDefinitionError(`${where}: ${problem}`, entity, property);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity, property: this.property };
  }
}
