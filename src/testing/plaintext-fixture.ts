import type { Constructor } from '../metadata/declarations';
import { entityMetadata } from '../metadata/discovery';
import { Repository } from '../repository/repository';
import type { TheoryDb } from '../repository/theorydb';
import { internalsOf } from '../repository/theorydb-internals';
import { hasLoopbackEndpoint, loopbackOnlyClient } from './loopback-endpoint';
import { PlaintextFixtureError } from './plaintext-fixture-error';

/**
 * A repository for tests without KMS in which exactly the named `@Encrypted` fields are stored as
 * plain DynamoDB values, and the named `@Signed` attributes go unsigned. Each name must be an
 * encrypted or signed property of `target`; those not named keep full protection and fail closed
 * without a key (an item keeps its envelope while any of them is left). It refuses, before sending anything, a
 * DynamoDB client whose endpoint is not a loopback address, so it cannot write plaintext to AWS.
 *
 * Items written this way are not readable by a normal repository: it fails with
 * `PLAINTEXT_IN_ENCRYPTED_FIELD`; nor does a fixture read a normal repository's items that seal a
 * field it opted out: it fails with `ENCRYPTION_NOT_CONFIGURED` rather than load the field as
 * unset. There is no global switch that does this; every test names the
 * fields it opts out, per fixture.
 *
 * @example
 * ```ts
 * import { plaintextFixture } from 'theorydb/testing';
 *
 * const credentials = plaintextFixture(db, Credential, ['secret']);
 * await credentials.save(credential); // `secret` stored as a plain S value
 * ```
 */
export function plaintextFixture<T extends object>(
  db: TheoryDb,
  target: Constructor<T>,
  fields: readonly (keyof T & string)[],
): Repository<T> {
  const metadata = entityMetadata(target);
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new PlaintextFixtureError(
      `plaintextFixture(${metadata.className}): name at least one @Encrypted field to store in clear`,
    );
  }
  for (const field of fields) {
    const protectedFields = [...metadata.encryptedAttributes, ...metadata.signedAttributes];
    if (!protectedFields.some((a) => a.property === field)) {
      throw new PlaintextFixtureError(
        `plaintextFixture(${metadata.className}): '${String(field)}' is not an @Encrypted or @Signed property of ${metadata.className}`,
      );
    }
  }
  const refusal = () =>
    new PlaintextFixtureError(
      `plaintextFixture(${metadata.className}) only runs against a loopback DynamoDB endpoint ` +
        '(localhost or 127.0.0.1), never against AWS',
    );
  const { dynamodb } = internalsOf(db);
  // Checked before each operation (so nothing is mapped or sent when the configuration is wrong)
  // and again on the host of every request, which is what decides where the plaintext goes.
  const loopbackOnly = async (): Promise<void> => {
    if (!(await hasLoopbackEndpoint(dynamodb))) throw refusal();
  };
  return new Repository(
    internalsOf(db).plaintextContext(
      target,
      new Set(fields),
      loopbackOnly,
      loopbackOnlyClient(dynamodb, refusal),
    ),
  );
}
