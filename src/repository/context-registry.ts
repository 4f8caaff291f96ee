import { ValidationError } from '../errors';
import type { RepositoryContext } from './repository-context';

// Only contexts built inside theorydb can back a Repository. The registry is module-private and
// this module is not reachable from the package's entries (the `exports` map allows no deep
// imports), so application code cannot register a context of its own: a context that opts
// fields out of encryption exists only inside `plaintextFixture`, behind its loopback check.
const registered = new WeakSet<object>();

/** Freezes a context built by theorydb and marks it as one a Repository may use. */
export function registerContext<T extends object>(
  context: RepositoryContext<T>,
): RepositoryContext<T> {
  registered.add(Object.freeze(context));
  return context;
}

/** The context unchanged when theorydb built it; otherwise `VALIDATION`. */
export function registeredContext<T extends object>(context: unknown): RepositoryContext<T> {
  if (typeof context !== 'object' || context === null || !registered.has(context)) {
    throw new ValidationError(
      'Repository: get a repository from db.repository(Cls); it cannot be constructed directly',
    );
  }
  return context as RepositoryContext<T>;
}
