import { expect } from 'chai';
import {
  TheoryDb,
  ValidationError,
  type EncryptionError,
  type EncryptionErrorCode,
  type KmsOptions,
} from '../../../../src';
import { expectEncryptionError } from '../../../support/leak-check';
import { PLAINTEXTS } from './plaintexts';
import { stack } from './stack';

/** What a {@link CollectedErrors.failure} must carry. */
interface ExpectedFailure {
  code: EncryptionErrorCode;
  entity?: string;
  field?: string;
  keyArn?: string;
}

/** The errors one spec file provoked, and the helpers that check and collect them. */
export interface CollectedErrors {
  /** Every error the file provoked, for its closing leak check (error-leaks.ts). */
  readonly errors: Error[];
  /** The EncryptionError `promise` rejects with, checked; kept for the final leak check. */
  readonly failure: (
    promise: Promise<unknown>,
    expected: ExpectedFailure,
  ) => Promise<EncryptionError>;
  /** The ValidationError `new TheoryDb(...)` throws; kept for the final leak check. */
  readonly refusal: (kmsOptions: unknown) => ValidationError;
}

/** A fresh collector: one per spec file, so each file checks the errors it made itself. */
export function collectErrors(): CollectedErrors {
  const errors: Error[] = [];

  async function failure(
    promise: Promise<unknown>,
    expected: ExpectedFailure,
  ): Promise<EncryptionError> {
    const error = await expectEncryptionError(promise, { ...expected, secrets: PLAINTEXTS });
    errors.push(error);
    return error;
  }

  function refusal(kmsOptions: unknown): ValidationError {
    const { dynamo, kms } = stack();
    const before = kms.calls();
    let thrown: unknown;
    try {
      new TheoryDb({ dynamodb: dynamo.client, kms: kmsOptions as KmsOptions });
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'the construction is refused').to.be.instanceOf(ValidationError);
    const error = thrown as ValidationError;
    expect(error.code).to.equal('VALIDATION');
    expect(error.name).to.equal('ValidationError');
    expect((JSON.parse(JSON.stringify(error)) as { code: string }).code).to.equal('VALIDATION');
    expect(kms.calls(), 'nothing sent to KMS').to.equal(before);
    errors.push(error);
    return error;
  }

  return { errors, failure, refusal };
}
