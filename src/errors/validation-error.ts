import { TheoryDbError } from './theorydb-error';

/**
 * An argument passed to theorydb is not valid: a key object with a missing or mistyped key
 * property, a value of the wrong type for its attribute, an unknown index. Raised before any
 * request is sent. Messages name the entity and property but never the value.
 *
 * @example
 * ```ts
 * await repo.find({ id: 42 }); // ValidationError (VALIDATION): User.id must be a string
 * ```
 */
export class ValidationError extends TheoryDbError {
  readonly code = 'VALIDATION' as const;

  constructor(
    message: string,
    readonly entity?: string,
    readonly property?: string,
  ) {
    super(message);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), entity: this.entity, property: this.property };
  }
}
