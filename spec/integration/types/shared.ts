import { uniqueTable } from '../../support/stack';

// What the legacy entities (./legacy-entities.ts) and their standard-decorator twins
// (spec/standard/fixtures/types.ts) share: one table for both, so the suite creates it once, and
// one enum, since TypeScript enums are nominal and twins must have the same property types.

/** The table every entity of both sets is stored in (one key schema: `id`, a string). */
export const TYPES_TABLE = uniqueTable('types');

export enum Status {
  Active = 'active',
  Suspended = 'suspended',
}
