import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator, type TheoryDbPropertyDecorator } from './property-decorator';

/**
 * Declares a stored attribute. Properties without a theorydb decorator are not stored.
 *
 * @example
 * ```ts
 * @Attribute() email!: string;
 * @Attribute({ name: 'st', type: String }) status!: Status; // a string enum
 * @Attribute({ type: Array, items: Address }) addresses!: Address[];
 * ```
 */
export function Attribute(options?: AttributeOptions): TheoryDbPropertyDecorator {
  return roleDecorator('attribute', options);
}
