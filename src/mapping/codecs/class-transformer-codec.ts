import { instanceToPlain, plainToInstance } from 'class-transformer';
import type { Constructor } from '../../metadata/declarations';
import {
  type AttributeCodec,
  type CodecSite,
  wrongStoredType,
  wrongValueType,
} from '../attribute-codec';
import { refuseNestedEntities } from '../nested-entity-guard';
import { readDynamic, writeDynamic } from './dynamic-codec';

/**
 * A nested class without theorydb decorators ⇄ M, through class-transformer: `instanceToPlain` on
 * write and `plainToInstance` on read, so its `@Type`, `@Expose`, `@Exclude` and `@Transform`
 * decorators apply (a nested `Date` needs `@Type(() => Date)` to load as a `Date`).
 */
export function classTransformerCodec(
  site: CodecSite,
  target: Constructor<object>,
): AttributeCodec {
  return {
    kind: target.name,
    keyType: undefined,
    write(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw wrongValueType(site, `an instance of ${target.name}`, value);
      }
      // class-transformer serialises whatever it finds, an entity's decrypted fields included.
      refuseNestedEntities(site, value);
      try {
        return writeDynamic(instanceToPlain(value));
      } catch {
        throw wrongValueType(site, `an instance of ${target.name} with plain values`, value);
      }
    },
    read(value) {
      if (value.M === undefined) throw wrongStoredType(site, 'M', value);
      return plainToInstance(target as new () => object, readDynamic(value) as object);
    },
  };
}
