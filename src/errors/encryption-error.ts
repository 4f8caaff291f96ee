import { TheoryDbError } from './theorydb-error';

/**
 * Codes of {@link EncryptionError}. Each is stable; `docs/encryption-format.md` and the README
 * document when each is raised.
 */
export type EncryptionErrorCode =
  | 'ENCRYPTION_NOT_CONFIGURED'
  | 'KMS_ACCESS_DENIED'
  | 'KMS_KEY_NOT_FOUND'
  | 'KMS_KEY_DISABLED'
  | 'KMS_KEY_STATE'
  | 'KMS_THROTTLED'
  | 'KMS_UNAVAILABLE'
  | 'KEY_NOT_ALLOWED'
  | 'INTEGRITY'
  | 'MALFORMED_CIPHERTEXT'
  | 'PLAINTEXT_IN_ENCRYPTED_FIELD'
  | 'KMS_ERROR'
  | 'ENCRYPTED_FIELD_NOT_QUERYABLE';

const RETRYABLE: ReadonlySet<EncryptionErrorCode> = new Set(['KMS_THROTTLED', 'KMS_UNAVAILABLE']);

/** Where an encryption failure happened. Names only: never values. */
export interface EncryptionErrorContext {
  /** The entity name bound into the ciphertext (`@Entity({ name })`, by default the class name). */
  entity?: string;
  /** The property name of the encrypted field. */
  field?: string;
  /** The ARN of the KMS key involved, when known. */
  keyArn?: string;
}

/**
 * An `@Encrypted` field could not be encrypted or decrypted. The operation failed as a whole:
 * nothing was written (for a write) and no entity was returned (for a read).
 *
 * The error carries names (`entity`, `field`, `keyArn`) and never a value, a ciphertext or an
 * item's key values, in its message, stack, cause, JSON form or `util.inspect` output. The
 * `cause`, when present, is a sanitised copy of the underlying failure holding only its `name`
 * and `message`.
 *
 * @example
 * ```ts
 * try {
 *   await repo.find({ id: 'u1' });
 * } catch (err) {
 *   if (err instanceof EncryptionError && err.retryable) {
 *     // KMS was throttled or unreachable: retry later
 *   } else if (err instanceof EncryptionError && err.code === 'INTEGRITY') {
 *     // the stored value was tampered with or moved: alert
 *   }
 * }
 * ```
 */
export class EncryptionError extends TheoryDbError {
  readonly entity: string | undefined;
  readonly field: string | undefined;
  readonly keyArn: string | undefined;
  /** True for throttling and unavailability only. */
  readonly retryable: boolean;

  constructor(
    readonly code: EncryptionErrorCode,
    message: string,
    context: EncryptionErrorContext = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause: sanitizeCause(cause) });
    this.entity = context.entity;
    this.field = context.field;
    this.keyArn = context.keyArn;
    this.retryable = RETRYABLE.has(code);
  }

  /**
   * A copy of this error with `entity`, `field` and `keyArn` filled in where they were unknown at
   * the point of failure (a shared data key fails before it knows which field asked for it).
   */
  withContext(context: EncryptionErrorContext): EncryptionError {
    const merged: EncryptionErrorContext = {
      entity: this.entity ?? context.entity,
      field: this.field ?? context.field,
      keyArn: this.keyArn ?? context.keyArn,
    };
    const copy = new EncryptionError(this.code, this.message, merged);
    if (this.cause !== undefined) {
      Object.defineProperty(copy, 'cause', {
        value: this.cause,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      entity: this.entity,
      field: this.field,
      keyArn: this.keyArn,
      retryable: this.retryable,
    };
  }
}

/**
 * Keep only the name and message of an underlying failure. SDK errors carry request and response
 * metadata (and Node's crypto errors can carry buffers); none of that may travel with an
 * encryption error.
 */
function sanitizeCause(cause: unknown): Error {
  const name = errorName(cause);
  const message =
    cause instanceof Error || (typeof cause === 'object' && cause !== null && 'message' in cause)
      ? String(cause.message)
      : '';
  const clean = new Error(message);
  clean.name = name;
  // The stack of the copy would point here; the original stack could hold nothing secret, but
  // dropping it keeps the rule simple: a cause is a name and a message.
  clean.stack = `${name}: ${message}`;
  return clean;
}

function errorName(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'name' in value) {
    const name = value.name;
    if (typeof name === 'string' && name.length > 0) return name;
  }
  return 'Error';
}
