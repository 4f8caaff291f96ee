import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Constructor } from '../../metadata/declarations';
import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';

/** One mapped property of a nested class. */
export interface EmbeddedField {
  readonly property: string;
  readonly attribute: string;
  readonly codec: AttributeCodec;
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
      const out: Record<string, AttributeValue> = {};
      const source = value as Record<string, unknown>;
      for (const field of fields()) {
        const raw = source[field.property];
        if (raw === undefined) continue;
        const written = raw === null ? { NULL: true } : field.codec.write(raw);
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
