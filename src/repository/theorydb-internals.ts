import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../errors';
import type { Constructor } from '../metadata/declarations';
import type { RepositoryContext } from './repository-context';

/**
 * What `theorydb/testing` needs from a TheoryDb and the main entry must never expose: its
 * DynamoDB client, and a repository context with fields opted out of encryption.
 */
export interface TheoryDbInternals {
  readonly dynamodb: DynamoDBClient;
  plaintextContext<T extends object>(
    target: Constructor<T>,
    plaintextFields: ReadonlySet<string>,
    preflight: () => Promise<void>,
    /** The client the context sends through (the fixture's, which checks every request's host). */
    client: DynamoDBClient,
  ): RepositoryContext<T>;
}

// Keyed by instance and private to this module, which no package entry re-exports: holding a
// TheoryDb gives no way to reach these, short of importing theorydb's internal files by path.
const internals = new WeakMap<object, TheoryDbInternals>();

/** Called once by the TheoryDb constructor. */
export function registerInternals(db: object, parts: TheoryDbInternals): void {
  internals.set(db, Object.freeze(parts));
}

/** The internals of a TheoryDb; `VALIDATION` for anything else. */
export function internalsOf(db: unknown): TheoryDbInternals {
  const parts = typeof db === 'object' && db !== null ? internals.get(db) : undefined;
  if (parts === undefined) throw new ValidationError('expected a TheoryDb instance');
  return parts;
}
