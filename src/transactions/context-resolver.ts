import type { Constructor } from '../metadata/declarations';
import type { RepositoryContext } from '../repository/repository-context';

/** The repository context of an entity class, as `TheoryDb` builds it. */
export type ContextResolver = <E extends object>(target: Constructor<E>) => RepositoryContext<E>;

/** A resolver that builds each class's context once, so one operation shares it across actions. */
export function cachedResolver(resolve: ContextResolver): ContextResolver {
  const contexts = new Map<Constructor<object>, RepositoryContext<object>>();
  return <E extends object>(target: Constructor<E>): RepositoryContext<E> => {
    let context = contexts.get(target);
    if (context === undefined) {
      context = resolve(target);
      contexts.set(target, context);
    }
    return context as unknown as RepositoryContext<E>;
  };
}
