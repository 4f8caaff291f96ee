import type { Constructor, DateFormat } from '../metadata/declarations';
import type { AttributeCodec, CodecSite } from './attribute-codec';
import { bigintCodec } from './codecs/bigint-codec';
import { binaryCodec } from './codecs/binary-codec';
import { booleanCodec } from './codecs/boolean-codec';
import { classTransformerCodec } from './codecs/class-transformer-codec';
import { dateCodec } from './codecs/date-codec';
import { dynamicCodec } from './codecs/dynamic-codec';
import { type EmbeddedField, embeddedCodec } from './codecs/embedded-codec';
import { listCodec } from './codecs/list-codec';
import { numberCodec } from './codecs/number-codec';
import { type SetElement, setCodec } from './codecs/set-codec';
import { stringCodec } from './codecs/string-codec';

/** What the codec factory needs to know about a property's type. */
export interface CodecRequest {
  readonly site: CodecSite;
  /** The explicit `type`, or the `design:type` TypeScript emitted. */
  readonly type: unknown;
  /** The element type of an array or set, if declared. */
  readonly items: unknown;
  readonly dateFormat: DateFormat;
  /** True when `type` came from `design:type` rather than an explicit option. */
  readonly inferred: boolean;
}

/**
 * How nested classes are mapped: `fields` returns the mapped properties of a class decorated with
 * theorydb decorators (lazily, so classes may nest themselves), or undefined for a class that
 * carries none (it is then mapped through class-transformer).
 */
export interface NestedClassResolver {
  fields(target: Constructor<object>): (() => readonly EmbeddedField[]) | undefined;
}

/** A codec for the request, or the reason the type cannot be mapped. */
export type CodecResult = { codec: AttributeCodec } | { unmappable: string };

/** Chooses and builds the codec of one property. Runs once per property, at discovery. */
export function codecFor(request: CodecRequest, nested: NestedClassResolver): CodecResult {
  const { site, type } = request;
  switch (type) {
    case String:
      return { codec: stringCodec(site) };
    case Number:
      return { codec: numberCodec(site) };
    case BigInt:
      return { codec: bigintCodec(site) };
    case Boolean:
      return { codec: booleanCodec(site) };
    case Date:
      return { codec: dateCodec(site, request.dateFormat) };
    case Uint8Array:
      return { codec: binaryCodec(site, false) };
    case Buffer:
      return { codec: binaryCodec(site, true) };
    case Set:
      return setFor(request);
    case Array:
      return listFor(request, nested);
    case Object:
      return request.inferred
        ? {
            unmappable:
              'its design type is Object (a union, an interface or a type alias); declare it ' +
              'explicitly, e.g. { type: Object } for a plain JSON-like object or { type: String } ' +
              'for a string union',
          }
        : { codec: dynamicCodec(site, 'any') };
    case undefined:
      return {
        unmappable: 'no type is known for it; declare it with { type }',
      };
    default:
      return classFor(site, type, nested);
  }
}

function setFor(request: CodecRequest): CodecResult {
  const elements = new Map<unknown, SetElement>([
    [String, 'string'],
    [Number, 'number'],
    [BigInt, 'bigint'],
    [Uint8Array, 'binary'],
    [Buffer, 'buffer'],
  ]);
  if (request.items === undefined) return { codec: setCodec(request.site, undefined) };
  const element = elements.get(request.items);
  if (element === undefined) {
    return {
      unmappable:
        'DynamoDB sets hold strings, numbers or binaries only; use { type: Array, items } for others',
    };
  }
  return { codec: setCodec(request.site, element) };
}

function listFor(request: CodecRequest, nested: NestedClassResolver): CodecResult {
  if (request.items === undefined) return { codec: dynamicCodec(request.site, 'array') };
  const element = codecFor(
    { ...request, type: request.items, items: undefined, inferred: false },
    nested,
  );
  if ('unmappable' in element) return element;
  return { codec: listCodec(request.site, () => element.codec) };
}

function classFor(site: CodecSite, type: unknown, nested: NestedClassResolver): CodecResult {
  if (typeof type !== 'function') {
    return { unmappable: 'its type is not a class or a supported constructor' };
  }
  const unsupported = new Set<unknown>([Function, Symbol, Map, WeakMap, WeakSet, Promise]);
  if (unsupported.has(type)) {
    return { unmappable: `${type.name} values cannot be stored in DynamoDB` };
  }
  const target = type as Constructor<object>;
  const fields = nested.fields(target);
  if (fields !== undefined) return { codec: embeddedCodec(site, target, fields) };
  return { codec: classTransformerCodec(site, target) };
}
