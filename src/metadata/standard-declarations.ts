import type { MemberPlacement, PropertyRecord } from './declarations';

// TypeScript's emit for standard decorators creates `context.metadata` only when `Symbol.metadata`
// exists when the class is evaluated (`typeof Symbol === "function" && Symbol.metadata ? ... :
// void 0`), and Node 20 does not define it yet: without this, every standard decorator would get
// no metadata object and nothing could be recorded. This module is loaded by the decorators, so it
// runs before any class that uses them. It defines the symbol only when absent (a runtime that
// has it natively, or a polyfill that ran first, keeps its own), and as `Symbol.for(
// 'Symbol.metadata')`, the key esbuild's emit falls back to, so classes compiled by TypeScript and
// by esbuild agree on where their metadata lives.
const symbolConstructor = Symbol as unknown as { metadata?: symbol };
if (symbolConstructor.metadata === undefined) {
  Object.defineProperty(Symbol, 'metadata', {
    value: Symbol.for('Symbol.metadata'),
    writable: false,
    enumerable: false,
    configurable: true,
  });
}

/** `Symbol.metadata`: where standard decorators' metadata object ends up on the class. */
export const METADATA_SYMBOL: symbol = symbolConstructor.metadata as symbol;

/** One standard decorator application, kept until its class is known. */
export interface PendingRecord {
  readonly property: string;
  readonly placement: MemberPlacement;
  readonly record: PropertyRecord;
}

/**
 * The standard declarations of one class. A standard member decorator never sees its class (it
 * gets `(value, context)`), so its record waits here, in the class's `context.metadata`, until the
 * class is adopted: by its `@Entity`, by a subclass's `@Entity`, at discovery, or when its first
 * instance is constructed.
 */
export interface PendingClass {
  readonly records: PendingRecord[];
  /** The class, once adopted: records arriving later are applied at once. */
  adoptedBy: object | undefined;
  /** Whether the instance initializer that adopts the class was added. */
  initializer: boolean;
}

const PENDING = Symbol('theorydb.pendingDeclarations');

/**
 * True for the second argument of a standard decorator call, `(value, context)`; a legacy call
 * passes a property key there (or nothing, for a class).
 */
export function isDecoratorContext(argument: unknown): argument is DecoratorContext {
  return (
    typeof argument === 'object' &&
    argument !== null &&
    typeof (argument as { kind?: unknown }).kind === 'string'
  );
}

/**
 * The pending declarations of the class whose metadata object this is. A subclass's metadata
 * object inherits from its base's, so only an own entry belongs to the class.
 */
export function pendingOf(metadata: object, create: boolean): PendingClass | undefined {
  if (Object.prototype.hasOwnProperty.call(metadata, PENDING)) {
    return (metadata as Record<symbol, PendingClass>)[PENDING];
  }
  if (!create) return undefined;
  const pending: PendingClass = { records: [], adoptedBy: undefined, initializer: false };
  Object.defineProperty(metadata, PENDING, { value: pending, enumerable: false });
  return pending;
}

/** The class's own standard metadata object (`Cls[Symbol.metadata]`), if it has one. */
export function ownMetadataOf(target: object): object | undefined {
  if (!Object.prototype.hasOwnProperty.call(target, METADATA_SYMBOL)) return undefined;
  const metadata = (target as Record<symbol, unknown>)[METADATA_SYMBOL];
  return typeof metadata === 'object' && metadata !== null ? metadata : undefined;
}

/** Where a standard member decorator was applied, in the terms both modes share. */
export function placementOf(context: DecoratorContext): MemberPlacement | undefined {
  if (context.kind === 'class') return undefined;
  if (context.static) return 'static';
  if (context.private) return 'private';
  switch (context.kind) {
    case 'field':
      return 'field';
    case 'getter':
    case 'setter':
      return 'accessor';
    case 'accessor':
      return 'auto-accessor';
    default:
      return 'method';
  }
}
