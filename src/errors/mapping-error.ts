import { TheoryDbError } from './theorydb-error';

/**
 * A stored item does not match its entity definition: an attribute holds a DynamoDB type the
 * property cannot take (a number where a string is declared, say). Names the entity and the
 * property, never the value.
 *
 * @example
 * ```ts
 * // MappingError (MAPPING): User.age: stored attribute "age" is S, expected N
 * ```
 */
export class MappingError extends TheoryDbError {
  readonly code = 'MAPPING' as const;

  constructor(
    message: string,
    readonly entity: string,
    readonly property: string,
  ) {
    super(message);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity, property: this.property };
  }
}
