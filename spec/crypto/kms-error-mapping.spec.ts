import { expect } from 'chai';
import { inspect } from 'node:util';
import { toEncryptionError } from '../../src/crypto/kms-error-mapping';
import { EncryptionError, type EncryptionErrorCode } from '../../src/errors';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-4333-8444-555555555555';

/** An error shaped like the SDK's: a name, a message and response metadata. */
function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  const error = new Error(`the KMS message for ${name}`);
  error.name = name;
  return Object.assign(error, {
    $fault: status !== undefined && status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 1 },
    ...extra,
  });
}

const BY_NAME: Array<[string, EncryptionErrorCode, boolean]> = [
  ['AccessDeniedException', 'KMS_ACCESS_DENIED', false],
  ['UnrecognizedClientException', 'KMS_ACCESS_DENIED', false],
  ['InvalidSignatureException', 'KMS_ACCESS_DENIED', false],
  ['ExpiredTokenException', 'KMS_ACCESS_DENIED', false],
  ['InvalidGrantTokenException', 'KMS_ACCESS_DENIED', false],
  ['NotFoundException', 'KMS_KEY_NOT_FOUND', false],
  ['DisabledException', 'KMS_KEY_DISABLED', false],
  ['KMSInvalidStateException', 'KMS_KEY_STATE', false],
  ['InvalidKeyUsageException', 'KMS_KEY_STATE', false],
  ['ThrottlingException', 'KMS_THROTTLED', true],
  ['LimitExceededException', 'KMS_THROTTLED', true],
  ['TooManyRequestsException', 'KMS_THROTTLED', true],
  ['KMSInternalException', 'KMS_UNAVAILABLE', true],
  ['DependencyTimeoutException', 'KMS_UNAVAILABLE', true],
  ['KeyUnavailableException', 'KMS_UNAVAILABLE', true],
  ['AbortError', 'KMS_UNAVAILABLE', true],
  ['TimeoutError', 'KMS_UNAVAILABLE', true],
  ['IncorrectKeyException', 'KEY_NOT_ALLOWED', false],
  ['InvalidCiphertextException', 'INTEGRITY', false],
  ['ValidationException', 'KMS_ERROR', false],
  ['UnsupportedOperationException', 'KMS_ERROR', false],
  ['SomethingNewException', 'KMS_ERROR', false],
];

describe('toEncryptionError', () => {
  for (const [name, code, retryable] of BY_NAME) {
    it(`maps ${name} to ${code}`, () => {
      const error = toEncryptionError(sdkError(name, 400), {
        keyArn: KEY_ARN,
        operation: 'Decrypt',
      });
      expect(error).to.be.instanceOf(EncryptionError);
      expect(error.code).to.equal(code);
      expect(error.retryable).to.equal(retryable);
      expect(error.keyArn).to.equal(KEY_ARN);
      expect(error.message).to.match(/^KMS Decrypt failed: /);
      expect(error.message).to.contain(`(${name})`);
      // The KMS message travels only in the sanitised cause.
      expect(error.message).not.to.contain('the KMS message');
      expect((error.cause as Error).name).to.equal(name);
      expect((error.cause as Error).message).to.equal(`the KMS message for ${name}`);
    });
  }

  it('recognises by name, not class: a foreign copy of an exception maps the same', () => {
    class NotFoundException extends Error {
      override name = 'NotFoundException';
    }
    expect(toEncryptionError(new NotFoundException('x')).code).to.equal('KMS_KEY_NOT_FOUND');
    expect(toEncryptionError({ name: 'DisabledException', message: 'plain object' }).code).to.equal(
      'KMS_KEY_DISABLED',
    );
  });

  it('lets a known name win over the HTTP status', () => {
    expect(toEncryptionError(sdkError('NotFoundException', 500)).code).to.equal(
      'KMS_KEY_NOT_FOUND',
    );
  });

  it('maps unknown 5xx to KMS_UNAVAILABLE and 429 to KMS_THROTTLED, other 4xx to KMS_ERROR', () => {
    for (const status of [500, 502, 503, 504]) {
      const error = toEncryptionError(sdkError('Weird', status));
      expect(error.code, String(status)).to.equal('KMS_UNAVAILABLE');
      expect(error.retryable).to.equal(true);
    }
    expect(toEncryptionError(sdkError('Weird', 429)).code).to.equal('KMS_THROTTLED');
    const other = toEncryptionError(sdkError('Weird', 400));
    expect(other.code).to.equal('KMS_ERROR');
    expect(other.retryable).to.equal(false);
  });

  it('maps Node network failures to KMS_UNAVAILABLE, directly or as the cause', () => {
    for (const code of [
      'ECONNRESET',
      'ECONNREFUSED',
      'ETIMEDOUT',
      'EPIPE',
      'ENOTFOUND',
      'EAI_AGAIN',
    ]) {
      const direct = Object.assign(new Error(`connect ${code}`), { code });
      expect(toEncryptionError(direct).code, code).to.equal('KMS_UNAVAILABLE');
      const wrapped = new Error('request failed', { cause: direct });
      expect(toEncryptionError(wrapped).code, `cause ${code}`).to.equal('KMS_UNAVAILABLE');
    }
    expect(toEncryptionError(new Error('socket hang up')).code).to.equal('KMS_UNAVAILABLE');
    expect(toEncryptionError(Object.assign(new Error('x'), { code: 'EACCES' })).code).to.equal(
      'KMS_ERROR',
    );
  });

  it('maps values that are not errors to KMS_ERROR', () => {
    for (const value of ['boom', undefined, null, 42, {}]) {
      const error = toEncryptionError(value, { operation: 'GenerateDataKey' });
      expect(error.code).to.equal('KMS_ERROR');
      expect(error.message).to.equal(
        'KMS GenerateDataKey failed: KMS failed with an unrecognised error (Error)',
      );
    }
  });

  it('says "request" when the operation is unknown and leaves keyArn unset when unknown', () => {
    const error = toEncryptionError(sdkError('ThrottlingException', 400));
    expect(error.message).to.equal(
      'KMS request failed: KMS throttled the request (ThrottlingException)',
    );
    expect(error.keyArn).to.equal(undefined);
  });

  it('passes an EncryptionError through, filling in a missing keyArn', () => {
    const original = new EncryptionError('INTEGRITY', 'bad', {});
    const mapped = toEncryptionError(original, { keyArn: KEY_ARN });
    expect(mapped.code).to.equal('INTEGRITY');
    expect(mapped.message).to.equal('bad');
    expect(mapped.keyArn).to.equal(KEY_ARN);
    expect(toEncryptionError(original)).to.equal(original);
  });

  it('keeps response metadata and secrets out of the error and its cause', () => {
    const secret = Buffer.alloc(32, 7);
    const raw = sdkError('InvalidCiphertextException', 400, {
      $response: { body: secret.toString('base64') },
      Plaintext: secret,
    });
    const error = toEncryptionError(raw, { keyArn: KEY_ARN, operation: 'Decrypt' });
    const printed = [
      error.message,
      JSON.stringify(error),
      inspect(error, { depth: 10, showHidden: true }),
      String(error.stack),
    ].join('\n');
    expect(printed).not.to.contain(secret.toString('base64'));
    expect(printed).not.to.contain(secret.toString('hex'));
    expect(printed).not.to.contain('req-1');
    expect(error.cause).not.to.have.property('$metadata');
    expect(error.cause).not.to.have.property('$response');
    expect(error.cause).not.to.have.property('Plaintext');
  });
});
