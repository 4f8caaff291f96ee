import { ValidationError } from '../errors';
import { ByteWriter } from './byte-writer';
import {
  BIGINT_NEGATIVE,
  BIGINT_NON_NEGATIVE,
  MAX_NESTING_DEPTH,
  PlaintextTag,
} from './plaintext-tags';

/** Names used in error messages: the entity and the encrypted field. Never values. */
export interface PlaintextLocation {
  entity?: string;
  field?: string;
}

/** The bytes of the one NaN we write, so equal values always encode to equal bytes. */
const CANONICAL_NAN = Buffer.from([0x7f, 0xf8, 0, 0, 0, 0, 0, 0]);

/** Matches an unpaired surrogate (with the `u` flag, a valid pair is one code point, not `Cs`). */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

const HEX_RADIX = 16;

/**
 * Encode a value of an `@Encrypted` field as typed plaintext: one type tag byte, then its payload,
 * recursively, so a read returns the type that was saved (see `PlaintextTag`).
 *
 * Supported: string, number (any double, including NaN, Infinity and -0), bigint, boolean, null,
 * valid Date, Uint8Array, Buffer, and arrays, Sets, Maps and plain objects (Object or null
 * prototype) of supported values, nested up to 64 levels. Object properties whose value is
 * `undefined` are omitted, as JSON does; `undefined` anywhere else is refused.
 *
 * @throws ValidationError naming `entity.field` and the unsupported type (never the value).
 * @example
 * ```ts
 * const where = { entity: 'User', field: 'profile' };
 * const bytes = encodePlaintext({ born: new Date(0), tags: new Set(['a']) }, where);
 * decodePlaintext(bytes); // { born: Date(0), tags: Set { 'a' } }
 * ```
 */
export function encodePlaintext(value: unknown, where: PlaintextLocation = {}): Buffer {
  const out = new ByteWriter();
  try {
    new PlaintextEncoder(out, where).value(value, 0);
  } catch (error) {
    // A refusal deep inside a value leaves its earlier parts in the buffer: wipe them.
    out.wipe();
    throw error;
  }
  return out.finish();
}

class PlaintextEncoder {
  constructor(
    private readonly out: ByteWriter,
    private readonly where: PlaintextLocation,
  ) {}

  /** `depth` counts the containers around `value`. */
  value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        this.out.uint8(PlaintextTag.String);
        this.string(value);
        return;
      case 'number':
        this.out.uint8(PlaintextTag.Number);
        if (Number.isNaN(value)) this.out.bytes(CANONICAL_NAN);
        else this.out.float64(value);
        return;
      case 'bigint':
        this.bigint(value);
        return;
      case 'boolean':
        this.out.uint8(value ? PlaintextTag.True : PlaintextTag.False);
        return;
      case 'object':
        if (value === null) this.out.uint8(PlaintextTag.Null);
        else this.object(value, depth);
        return;
      default:
        // undefined, function, symbol
        throw this.unsupported(`of type ${typeof value}`);
    }
  }

  private object(value: object, depth: number): void {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype === Date.prototype) return this.date(value as Date);
    if (prototype === Buffer.prototype) return this.bytes(PlaintextTag.Buffer, value as Buffer);
    if (prototype === Uint8Array.prototype) {
      return this.bytes(PlaintextTag.Uint8Array, value as Uint8Array);
    }
    const inner = depth + 1;
    const isContainer =
      prototype === Array.prototype ||
      prototype === Set.prototype ||
      prototype === Map.prototype ||
      prototype === Object.prototype ||
      prototype === null;
    if (!isContainer) throw this.unsupported(`of type ${typeName(prototype)}`);
    if (inner > MAX_NESTING_DEPTH) {
      throw this.invalid(`is nested deeper than ${MAX_NESTING_DEPTH} levels`);
    }
    if (prototype === Array.prototype) return this.array(value as unknown[], inner);
    if (prototype === Set.prototype) return this.set(value as Set<unknown>, inner);
    if (prototype === Map.prototype) return this.map(value as Map<unknown, unknown>, inner);
    this.plainObject(value as Record<string, unknown>, prototype === null, inner);
  }

  private array(value: unknown[], depth: number): void {
    this.out.uint8(PlaintextTag.Array).uint32(value.length);
    for (let i = 0; i < value.length; i += 1) this.member(value[i], depth);
  }

  private set(value: Set<unknown>, depth: number): void {
    this.out.uint8(PlaintextTag.Set).uint32(value.size);
    for (const member of value) this.member(member, depth);
  }

  private map(value: Map<unknown, unknown>, depth: number): void {
    this.out.uint8(PlaintextTag.Map).uint32(value.size);
    for (const [key, member] of value) {
      this.member(key, depth);
      this.member(member, depth);
    }
  }

  private plainObject(value: Record<string, unknown>, nullPrototype: boolean, depth: number): void {
    // Like JSON: own enumerable string keys, and properties holding undefined are left out.
    const entries = Object.keys(value)
      .map((key) => [key, value[key]] as const)
      .filter(([, member]) => member !== undefined);
    const tag = nullPrototype ? PlaintextTag.NullPrototypeObject : PlaintextTag.Object;
    this.out.uint8(tag).uint32(entries.length);
    for (const [key, member] of entries) {
      this.string(key);
      this.value(member, depth);
    }
  }

  /** An element of an array, Set or Map: `undefined` would not come back, so it is refused. */
  private member(value: unknown, depth: number): void {
    if (value === undefined) {
      throw this.invalid('holds undefined in an array, Set or Map (or an array has holes)');
    }
    this.value(value, depth);
  }

  private string(text: string): void {
    if (UNPAIRED_SURROGATE.test(text)) {
      throw this.invalid('holds a string with an unpaired surrogate, which UTF-8 cannot represent');
    }
    const byteLength = Buffer.byteLength(text, 'utf8');
    this.out.uint32(byteLength).utf8(text, byteLength);
  }

  private bigint(value: bigint): void {
    const negative = value < 0n;
    const magnitude = negative ? -value : value;
    // Minimal big-endian bytes: zero has none, and there is never a leading zero byte.
    let hex = magnitude === 0n ? '' : magnitude.toString(HEX_RADIX);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    const bytes = Buffer.from(hex, 'hex');
    this.out
      .uint8(PlaintextTag.BigInt)
      .uint8(negative ? BIGINT_NEGATIVE : BIGINT_NON_NEGATIVE)
      .uint32(bytes.length)
      .bytes(bytes);
  }

  private date(value: Date): void {
    // Date.prototype's own getTime: an own `getTime` property on the instance is not trusted.
    const ms = Date.prototype.getTime.call(value);
    if (Number.isNaN(ms)) throw this.invalid('is an invalid Date');
    this.out.uint8(PlaintextTag.Date).int64(BigInt(ms));
  }

  private bytes(tag: number, value: Uint8Array): void {
    this.out.uint8(tag).uint32(value.length).bytes(value);
  }

  private unsupported(what: string): ValidationError {
    return this.invalid(`holds a value ${what}, which cannot be encrypted`);
  }

  private invalid(problem: string): ValidationError {
    const { entity, field } = this.where;
    const name = [entity, field].filter((part) => part !== undefined).join('.');
    const subject = name.length === 0 ? 'an encrypted value' : `encrypted field ${name}`;
    return new ValidationError(`${subject} ${problem}`, entity, field);
  }
}

/** A class name for an error message: the constructor's name, which is code, never data. */
function typeName(prototype: unknown): string {
  const constructor: unknown =
    typeof prototype === 'object' && prototype !== null
      ? (prototype as { constructor?: unknown }).constructor
      : undefined;
  if (typeof constructor === 'function' && constructor.name.length > 0) return constructor.name;
  return 'object';
}
