import type { SignedOptions } from '../metadata/declarations';
import { propertyDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Authenticates this plain attribute with its item: its name and value are bound into the
 * associated data of the item's envelope, so a change made outside theorydb (a raw `UpdateItem`
 * that edits, retypes or deletes it) fails every read of the item with `INTEGRITY`. The value
 * stays in clear, so key conditions, filters and indexes on it keep working. Combine it with
 * `@Attribute`, `@Index` and the lifecycle decorators; not with `@Encrypted`, which already
 * authenticates. The table's own keys are always bound: `@Signed` on them changes nothing.
 * Under standard decorators, or a runner that emits no `design:type`, give its `type`.
 *
 * @example
 * ```ts
 * @Entity({ table: 'credentials', name: 'Credential' })
 * class Credential {
 *   @PartitionKey() id!: string;
 *   @Signed() @Index('byOwner', { partition: true }) ownerEmail!: string;
 *   @Signed({ type: Number }) limit!: number; // standard decorators, tsx, esbuild, ...
 *   @Encrypted() secret!: string;
 * }
 * ```
 */
export function Signed(options: SignedOptions = {}): TheoryDbPropertyDecorator {
  return propertyDecorator((declaration) => {
    declaration.signed = { ...options };
  });
}
