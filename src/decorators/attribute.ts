import type { AttributeOptions } from '../metadata/declarations';
import { roleDecorator } from './property-decorator';

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
export function Attribute(options?: AttributeOptions): PropertyDecorator {
  return roleDecorator('attribute', options);
}
