/**
 * What the decorators record, before any validation. Discovery turns these into
 * {@link EntityMetadata}; nothing else reads them.
 */

/** A class constructor. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Constructor<T = unknown> = abstract new (...args: any[]) => T;

/**
 * An explicit type for a property, needed where TypeScript's `design:type` says nothing useful:
 * enums (`String` or `Number`), unions and aliases (`Object`), arrays and sets (`Array`, `Set` with
 * `items`), interfaces, and nested classes referenced with `import type`. A class can also be
 * named lazily, `() => Tree`: under standard decorators that is how a class names itself.
 */
export type TypeHint =
  | StringConstructor
  | NumberConstructor
  | BooleanConstructor
  | BigIntConstructor
  | DateConstructor
  | Uint8ArrayConstructor
  | BufferConstructor
  | ObjectConstructor
  | ArrayConstructor
  | SetConstructor
  | Constructor<object>
  | (() => Constructor<object>);

/** How a `Date` is stored. */
export type DateFormat = 'iso' | 'epochMs' | 'epochSeconds';

/** The role a property plays in its entity. Each property has exactly one. */
export type PropertyRole =
  'partitionKey' | 'sortKey' | 'attribute' | 'version' | 'createdAt' | 'updatedAt' | 'ttl';

/** Options shared by the property decorators. */
export interface AttributeOptions {
  /** The DynamoDB attribute name. Default: the property name. */
  name?: string;
  /** The property's type, where `design:type` is not enough (see {@link TypeHint}). */
  type?: TypeHint;
  /** The element type of an `Array` or `Set` property. */
  items?: TypeHint;
  /** How a `Date` is stored. Default `'iso'` (ISO-8601 string); `@Ttl` always uses epoch seconds. */
  dateFormat?: DateFormat;
}

/** Options of `@Entity`. */
export interface EntityOptions {
  /** The DynamoDB table name. */
  table: string;
  /**
   * The entity name, bound into every ciphertext of the entity's encrypted fields. Required when
   * the class (or a base class) has `@Encrypted` properties: the class name changes when a
   * bundler minifies the code or the class is renamed, and stored values bound to the old name
   * would no longer decrypt. Without encrypted properties it defaults to the class name.
   */
  name?: string;
}

/** Options of `@Signed`. */
export interface SignedOptions {
  /**
   * The property's type, as `@Attribute({ type })` takes it: needed under standard decorators and
   * with runners that emit no `design:type` (tsx, esbuild, vitest, bun). When `@Attribute` also
   * gives one, they must agree.
   */
  type?: TypeHint;
}

/** Options of `@Encrypted`. */
export interface EncryptedOptions {
  /**
   * The property's type, as `@Attribute({ type })` takes it: needed under standard decorators and
   * with runners that emit no `design:type` (tsx, esbuild, vitest, bun). Stacking
   * `@Attribute({ type })` with `@Encrypted()` works too; when both give a type they must agree.
   */
  type?: TypeHint;
  /**
   * The name of the bound key (`kms.keys[name]`). Default: the client's `kms.keyId`. There is no
   * fallback from a named key to the default key.
   */
  key?: string;
}

/** Options of `@Index`: which key of the index this property is. */
export interface IndexOptions {
  /** This property is the index's partition key (a global secondary index). */
  partition?: boolean;
  /** This property is the index's sort key. */
  sort?: boolean;
  /**
   * `'global'` (GSI) or `'local'` (LSI). Default: `'global'` when some property is the index's
   * partition key, `'local'` when the index only declares a sort key.
   */
  kind?: 'global' | 'local';
}

/**
 * Which decorator standard recorded a declaration: `legacy` (TypeScript's
 * `experimentalDecorators`, called as `(prototype, key)`) or `standard` (TC39 decorators, called
 * as `(value, context)`).
 */
export type DecoratorMode = 'legacy' | 'standard';

/**
 * What kind of class member a property decorator was applied to. Only instance fields and
 * get/set accessors can be stored; discovery refuses the rest.
 */
export type MemberPlacement =
  'field' | 'accessor' | 'auto-accessor' | 'method' | 'static' | 'private';

export interface RoleDeclaration {
  readonly role: PropertyRole;
  readonly options: AttributeOptions;
}

export interface IndexDeclaration {
  readonly index: string;
  readonly options: IndexOptions;
}

/** Everything recorded for one property. */
export interface PropertyDeclaration {
  /** The class whose decorator declared the property. */
  readonly owner: Constructor;
  readonly property: string;
  readonly placement: MemberPlacement;
  readonly mode: DecoratorMode;
  /** What TypeScript emitted as `design:type`, if anything (never, under standard decorators). */
  readonly designType: unknown;
  readonly roles: RoleDeclaration[];
  readonly indexes: IndexDeclaration[];
  encrypted: EncryptedOptions | undefined;
  /** Set by `@Signed()`: the attribute is authenticated with the item. */
  signed: SignedOptions | undefined;
}

/** Everything recorded for one class. */
export interface ClassDeclaration {
  readonly target: Constructor;
  entity: EntityOptions | undefined;
  readonly properties: Map<string, PropertyDeclaration>;
  /** The decorator standards its declarations were recorded in; more than one is refused. */
  readonly modes: Set<DecoratorMode>;
}

/**
 * What a property decorator records, applied to the property's declaration. Legacy decorators
 * apply it at once; standard ones keep it in `context.metadata` until the class is known (see
 * standard-declarations.ts). Both end in the same call, so both modes record the same metadata.
 */
export type PropertyRecord = (declaration: PropertyDeclaration, prototype: object) => void;
