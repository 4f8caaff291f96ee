/**
 * A KMS error as it travels on the wire: the `__type` the SDK turns into an exception class, a
 * human message, and the HTTP status. Thrown by the LocalKms handlers and turned into a JSON
 * error response in one place (the server), so handlers read like the KMS documentation.
 */
export class KmsException extends Error {
  constructor(
    /** The KMS exception name, sent as `__type` (for example `NotFoundException`). */
    readonly type: string,
    message: string,
    /** 400 for client errors, 5xx for service errors, as KMS does. */
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** Shorthand for the most common client error: the request does not have the documented shape. */
export function validation(message: string): KmsException {
  return new KmsException('ValidationException', message);
}
