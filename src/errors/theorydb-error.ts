/**
 * The base class of every error theorydb throws.
 *
 * Every subclass carries a stable string `code` that applications can switch on; messages are for
 * humans and may change between releases, codes do not. No theorydb error message ever contains a
 * value of an encrypted field, a ciphertext or an item's key values.
 *
 * @example
 * ```ts
 * try {
 *   await repo.save(user);
 * } catch (err) {
 *   if (err instanceof TheoryDbError && err.code === 'VERSION_CONFLICT') {
 *     // reload and retry
 *   }
 *   throw err;
 * }
 * ```
 */
export abstract class TheoryDbError extends Error {
  /** A stable, machine-readable code such as `VERSION_CONFLICT` or `KMS_KEY_DISABLED`. */
  abstract readonly code: string;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** A JSON form with the fields an operator needs and nothing else. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}
