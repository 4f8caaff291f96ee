import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Constructor } from '../../metadata/declarations';
import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';
import { ValidationError } from '../../errors';
import { refuseForeignEntityClass } from '../nested-entity-guard';

/** One mapped property of a nested class. */
export interface EmbeddedField {
  readonly property: string;
  readonly attribute: string;
  readonly codec: AttributeCodec;
}

/**
 * A field's value through its codec. A ValidationError is re-raised on this attribute, so that
 * `entity` and `property` name the entity's own attribute however deep the field sits, and the
 * message reads `Order.address: Address.city must be a string, got number`.
 */
function writeField(
  site: CodecSite,
  field: EmbeddedField,
  value: unknown,
): AttributeValue | undefined {
  try {
    return field.codec.write(value);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      `${site.entity}.${site.property}: ${error.message}`,
      site.entity,
      site.property,
    );
  }
}

/**
 * A nested class whose properties carry theorydb decorators ⇄ M. Loading builds a real instance
 * of the class (without calling its constructor, like an entity). The fields are resolved lazily
 * so that a class may nest itself (trees).
 */
export function embeddedCodec(
  site: CodecSite,
  target: Constructor<object>,
  fields: () => readonly EmbeddedField[],
): AttributeCodec {
  return {
    kind: target.name,
    keyType: undefined,
    write(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw wrongValueType(site, `an instance of ${target.name}`, value);
      }
      // Another decorated class (an entity, a subclass that encrypts a field) is not this one:
      // its fields would be written by this class's rules, in clear. Plain objects still map.
      refuseForeignEntityClass(site, value, target);
      const out: Record<string, AttributeValue> = {};
      const source = value as Record<string, unknown>;
      for (const field of fields()) {
        const raw = source[field.property];
        if (raw === undefined) continue;
        const written = raw === null ? { NULL: true } : writeField(site, field, raw);
        if (written !== undefined) out[field.attribute] = written;
      }
      return { M: out };
    },
    read(value) {
      if (value.M === undefined) throw wrongStoredType(site, 'M', value);
      const instance = Object.create(target.prototype as object) as Record<string, unknown>;
      for (const field of fields()) {
        const stored = Object.hasOwn(value.M, field.attribute)
          ? value.M[field.attribute]
          : undefined;
        if (stored === undefined) continue;
        instance[field.property] = stored.NULL === true ? null : field.codec.read(stored);
      }
      return instance;
    },
  };
}
