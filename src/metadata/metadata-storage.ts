import 'reflect-metadata';
import type { MetadataStorage as ClassTransformerStorage } from 'class-transformer/types/MetadataStorage';
import type {
  AttributeOptions,
  ClassDeclaration,
  Constructor,
  EncryptedOptions,
  EntityOptions,
  IndexOptions,
  PropertyDeclaration,
  PropertyRole,
} from './declarations';
import { EntityDefinitionError } from '../errors/entity-definition-error';
import { redactProperty } from './redaction';

const classTransformerStorage = loadClassTransformerStorage();

/** class-transformer keeps its decorator metadata in a module it ships without types of its own. */
function loadClassTransformerStorage(): ClassTransformerStorage {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const storage = require('class-transformer/cjs/storage') as {
    defaultMetadataStorage: ClassTransformerStorage;
  };
  return storage.defaultMetadataStorage;
}

/**
 * Where decorators write what they declare. This is the only module that reads `design:type`.
 * Nothing is validated here beyond the shape of a call: discovery decides, at first use, whether
 * the declarations make a usable entity.
 */
class MetadataStorage {
  private readonly classes = new Map<Constructor, ClassDeclaration>();
  private readonly decoratedPrototypes = new WeakSet<object>();
  // Classes whose declarations were read into cached metadata (see seal).
  private readonly sealed = new WeakSet<Constructor>();

  recordEntity(target: Constructor, options: EntityOptions): void {
    this.refuseSealed(target, undefined);
    this.decoratedPrototypes.add(target.prototype as object);
    this.declarationOf(target).entity = { ...options };
  }

  recordRole(prototype: object, property: string, role: PropertyRole, options: AttributeOptions) {
    this.propertyOf(prototype, property).roles.push({ role, options: { ...options } });
  }

  recordIndex(prototype: object, property: string, index: string, options: IndexOptions): void {
    this.propertyOf(prototype, property).indexes.push({ index, options: { ...options } });
  }

  /**
   * Marks the classes, and every class on their prototype chains, as used: metadata resolved from
   * their declarations is cached, so a declaration recorded later would be ignored, and a late
   * `@Encrypted` would print `[REDACTED]` while the property is still written in clear. Every
   * record on a sealed class is refused instead, with `EntityDefinitionError`.
   */
  seal(targets: readonly Constructor[]): void {
    for (const target of targets) {
      for (let c: unknown = target; typeof c === 'function' && c !== Function.prototype;) {
        this.sealed.add(c as Constructor);
        c = Object.getPrototypeOf(c);
      }
    }
  }

  private refuseSealed(target: Constructor, property: string | undefined): void {
    if (!this.sealed.has(target)) return;
    throw EntityDefinitionError.at(
      target.name || 'anonymous class',
      property,
      'decorated after its first use: theorydb resolved the class (or a subclass, or an entity ' +
        'that nests it) and uses that metadata from then on, so this decorator could not take ' +
        'effect; apply every decorator before the class is first used',
    );
  }

  /**
   * The one record with an effect beyond this store: the property's printed forms are redacted
   * now, before any discovery, whatever order the decorators run in (see redaction.ts).
   */
  recordEncrypted(prototype: object, property: string, options: EncryptedOptions): void {
    this.propertyOf(prototype, property).encrypted = { ...options };
    redactProperty(prototype, property);
  }

  /**
   * The declarations of a class, inherited ones first. A subclass that decorates an inherited
   * property refines its declaration rather than replacing it (see {@link inherit}), so it can
   * rename or index the property but never drop `@Encrypted` from it.
   */
  declarationsOf(target: Constructor): {
    entity: EntityOptions | undefined;
    properties: PropertyDeclaration[];
  } {
    const chain: Constructor[] = [];
    for (let c: unknown = target; typeof c === 'function' && c !== Function.prototype;) {
      chain.unshift(c as Constructor);
      c = Object.getPrototypeOf(c);
    }
    const properties = new Map<string, PropertyDeclaration>();
    for (const c of chain) {
      for (const [name, declaration] of this.classes.get(c)?.properties ?? []) {
        const inherited = properties.get(name);
        properties.set(
          name,
          inherited === undefined ? declaration : inherit(inherited, declaration),
        );
      }
    }
    return { entity: this.classes.get(target)?.entity, properties: [...properties.values()] };
  }

  /**
   * The class name when a theorydb decorator was applied to `prototype`'s class or any class it
   * inherits from; undefined otherwise. Decided by the prototypes the decorators were given, so a
   * reassigned `constructor` property changes nothing; a few WeakSet lookups, cheap enough for
   * every object a codec walks.
   */
  decoratedClassOf(prototype: object): string | undefined {
    for (
      let p: object | null = prototype;
      p !== null && p !== Object.prototype;
      p = Object.getPrototypeOf(p) as object | null
    ) {
      if (this.decoratedPrototypes.has(p)) {
        const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
        return typeof name === 'string' && name !== '' ? name : 'an anonymous class';
      }
    }
    return undefined;
  }

  /** True when any decorator of theorydb was applied to the class or one of its properties. */
  isDecorated(target: Constructor): boolean {
    const { entity, properties } = this.declarationsOf(target);
    return entity !== undefined || properties.length > 0;
  }

  /**
   * The element class named by class-transformer's `@Type(() => Cls)` on an array or set property,
   * so `@Type(() => Address) addresses!: Address[]` needs no theorydb `items` option.
   */
  classTransformerType(owner: Constructor, property: string): unknown {
    const found = classTransformerStorage.findTypeMetadata(owner, property) as
      { typeFunction?: (options?: unknown) => unknown } | undefined;
    return found?.typeFunction?.();
  }

  private declarationOf(target: Constructor): ClassDeclaration {
    let declaration = this.classes.get(target);
    if (declaration === undefined) {
      declaration = { target, entity: undefined, properties: new Map() };
      this.classes.set(target, declaration);
    }
    return declaration;
  }

  private propertyOf(prototype: object, property: string): PropertyDeclaration {
    this.refuseSealed(prototype.constructor as Constructor, property);
    this.decoratedPrototypes.add(prototype);
    const declaration = this.declarationOf(prototype.constructor as Constructor);
    let recorded = declaration.properties.get(property);
    if (recorded === undefined) {
      recorded = {
        owner: prototype.constructor as Constructor,
        property,
        designType: Reflect.getMetadata('design:type', prototype, property),
        roles: [],
        indexes: [],
        encrypted: undefined,
      };
      declaration.properties.set(property, recorded);
    }
    return recorded;
  }
}

/** The process-wide store the decorators write to. */
export const metadataStorage = new MetadataStorage();

/**
 * A subclass's declaration of a property its base already declares. Roles are replaced when the
 * subclass gives one (that is how it renames: `@Attribute({ name })`); indexes accumulate, the
 * subclass's options winning for an index both name; `@Encrypted` is sticky, with the subclass
 * free only to choose another key. Discovery then validates the merged declaration exactly as it
 * validates one class, so what it refuses on a class it refuses through inheritance.
 */
function inherit(base: PropertyDeclaration, own: PropertyDeclaration): PropertyDeclaration {
  const redeclared = new Set(own.indexes.map((i) => i.index));
  return {
    owner: own.owner,
    property: own.property,
    designType: own.designType ?? base.designType,
    roles: own.roles.length > 0 ? own.roles : base.roles,
    indexes: [...base.indexes.filter((i) => !redeclared.has(i.index)), ...own.indexes],
    encrypted: own.encrypted ?? base.encrypted,
  };
}
