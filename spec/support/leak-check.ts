import { expect } from 'chai';
import { inspect } from 'node:util';
import { EncryptionError, type EncryptionErrorCode } from '../../src';

/**
 * The forms a plaintext could take in text: itself, its hex, and its base64 at each of the three
 * byte alignments (a secret inside a larger base64 blob is encoded differently depending on where
 * it starts), each trimmed to the characters that depend on the secret alone.
 */
export function plaintextForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>([
    secret,
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
  ]);
  for (let shift = 0; shift < 3; shift += 1) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Drop the quantum that mixes in the padding bytes, and the last one (partial or '=').
    const core = encoded.slice(shift === 0 ? 0 : 4, encoded.length - 4);
    if (core.length >= 8) forms.add(core);
    if (shift === 0) forms.add(encoded);
  }
  return [...forms];
}

/** Fails when `text` holds `secret` in any of its {@link plaintextForms}. */
export function expectNoPlaintext(text: string, secret: string, where = 'text'): void {
  for (const form of plaintextForms(secret)) {
    expect(
      text.includes(form),
      `${where} contains a form of the plaintext (${form.length} chars)`,
    ).to.equal(false);
  }
}

/** Every printed form of an error a log or an error tracker could see. */
export function errorTexts(error: unknown): Record<string, string> {
  const e = error as Error & { cause?: unknown };
  const cause = e.cause as (Error & { stack?: string }) | undefined;
  return {
    message: String(e.message),
    stack: String(e.stack),
    cause: cause === undefined ? '' : `${String(cause)} ${inspect(cause, { depth: 10 })}`,
    causeStack: cause?.stack === undefined ? '' : String(cause.stack),
    json: JSON.stringify(error),
    inspect: inspect(error, { depth: 10, showHidden: true }),
    string: String(error),
  };
}

/** Fails when any printed form of `error` holds any of the secrets. */
export function expectErrorFreeOf(error: unknown, secrets: readonly string[]): void {
  for (const [where, text] of Object.entries(errorTexts(error))) {
    for (const secret of secrets) expectNoPlaintext(text, secret, `error ${where}`);
  }
}

/** What an EncryptionError is expected to carry. */
export interface ExpectedEncryptionError {
  code: EncryptionErrorCode;
  entity?: string;
  field?: string;
  /** The exact keyArn, or `true` for "some key ARN of this form". */
  keyArn?: string | true;
  /** Secrets none of the error's printed forms may hold. */
  secrets?: readonly string[];
}

const RETRYABLE: ReadonlySet<EncryptionErrorCode> = new Set(['KMS_THROTTLED', 'KMS_UNAVAILABLE']);

/** The EncryptionError `promise` rejects with, checked against `expected`. */
export async function expectEncryptionError(
  promise: Promise<unknown>,
  expected: ExpectedEncryptionError,
): Promise<EncryptionError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    expect(
      error,
      `expected EncryptionError ${expected.code}, got ${String(error)}`,
    ).to.be.instanceOf(EncryptionError);
    const failure = error as EncryptionError;
    expect(failure.code, failure.message).to.equal(expected.code);
    expect(failure.name).to.equal('EncryptionError');
    expect(failure.retryable).to.equal(RETRYABLE.has(expected.code));
    if (expected.entity !== undefined) expect(failure.entity).to.equal(expected.entity);
    if (expected.field !== undefined) expect(failure.field).to.equal(expected.field);
    if (expected.keyArn === true) {
      expect(failure.keyArn).to.match(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/);
    } else if (expected.keyArn !== undefined) {
      expect(failure.keyArn).to.equal(expected.keyArn);
    }
    const json = JSON.parse(JSON.stringify(failure)) as Record<string, unknown>;
    expect(json.code).to.equal(expected.code);
    expect(json.retryable).to.equal(failure.retryable);
    expectErrorFreeOf(failure, expected.secrets ?? []);
    return failure;
  }
  expect.fail(
    `expected EncryptionError ${expected.code}, but the operation resolved with ${
      outcome === undefined ? 'undefined' : 'a value'
    }`,
  );
}

/** The error `promise` rejects with (any kind); fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected a rejection, but the operation succeeded');
}
