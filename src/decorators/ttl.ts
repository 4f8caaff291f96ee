import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Declares the table's time-to-live attribute: a `Date` stored as epoch seconds (a number of
 * epoch seconds is accepted too). `createTable` enables TTL on it.
 *
 * @example
 * ```ts
 * @Ttl() expiresAt?: Date;
 * ```
 */
export function Ttl(options?: Pick<AttributeOptions, 'name' | 'type'>): TheoryDbPropertyDecorator {
  return roleDecorator('ttl', options);
}
