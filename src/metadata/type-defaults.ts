import type { PropertyRole } from './declarations';

/**
 * The type a lifecycle property gets when TypeScript's `design:type` is missing or says `Object`
 * (for `Date | undefined` and the like).
 */
export function defaultTypeFor(role: PropertyRole): unknown {
  switch (role) {
    case 'version':
      return Number;
    case 'createdAt':
    case 'updatedAt':
    case 'ttl':
      return Date;
    default:
      return undefined;
  }
}

/** The types each lifecycle role accepts. */
export const LIFECYCLE_TYPES: Partial<Record<PropertyRole, readonly unknown[]>> = {
  version: [Number],
  createdAt: [Date, Number, String],
  updatedAt: [Date, Number, String],
  ttl: [Date, Number],
};

/** The types an encrypted field can hold (the typed plaintext encoding covers these). */
export const ENCRYPTABLE_TYPES: readonly unknown[] = [
  String,
  Number,
  BigInt,
  Boolean,
  Date,
  Uint8Array,
  Buffer,
  Object,
  Array,
  Set,
];
