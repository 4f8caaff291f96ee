import 'reflect-metadata';
import type { MetadataStorage as ClassTransformerStorage } from 'class-transformer/types/MetadataStorage';
import type {
  ClassDeclaration,
  Constructor,
  DecoratorMode,
  EntityOptions,
  MemberPlacement,
  PropertyDeclaration,
  PropertyRecord,
  RoleDeclaration,
} from './declarations';
import { EntityDefinitionError } from '../errors/entity-definition-error';
import { ownMetadataOf, pendingOf, placementOf } from './standard-declarations';

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
 * Where decorators write what they declare, in either decorator standard. This is the only module
 * that reads `design:type`. Nothing is validated here beyond the shape of a call: discovery
 * decides, at first use, whether the declarations make a usable entity.
 *
 * Legacy decorators record at once, on the prototype they are given. Standard ones record into
 * `context.metadata` (see standard-declarations.ts) and are adopted here, through the same
 * {@link recordProperty}, once their class is known; so both modes end in the same declarations.
 */
class MetadataStorage {
  private readonly classes = new Map<Constructor, ClassDeclaration>();
  private readonly decoratedPrototypes = new WeakSet<object>();
  // Classes whose declarations were read into cached metadata (see seal).
  private readonly sealed = new WeakSet<Constructor>();

  /**
   * Records a class decorator. `metadata` is the standard call's `context.metadata`: the class
   * does not carry it as `Symbol.metadata` until its decorators have run. The class's standard
   * member declarations, and those of its bases, are adopted first, so their redaction is in
   * place as soon as the class is defined.
   */
  recordClass(
    target: Constructor,
    mode: DecoratorMode,
    record: (declaration: ClassDeclaration) => void,
    metadata?: object,
  ): void {
    this.refuseSealed(target, undefined);
    this.adopt(target, metadata ?? ownMetadataOf(target));
    for (const c of classChain(target).slice(1)) this.adopt(c, ownMetadataOf(c));
    this.decoratedPrototypes.add(target.prototype as object);
    const declaration = this.declarationOf(target);
    declaration.modes.add(mode);
    record(declaration);
  }

  /** A legacy property decorator's call: `(prototype, key)`, `(Cls, key)` for a static member. */
  recordLegacyProperty(
    target: object,
    key: string | symbol,
    descriptor: PropertyDescriptor | undefined,
    record: PropertyRecord,
  ): void {
    const isStatic = typeof target === 'function';
    const owner = (isStatic ? target : target.constructor) as Constructor;
    const placement: MemberPlacement = isStatic
      ? 'static'
      : descriptor === undefined
        ? 'field'
        : 'get' in descriptor || 'set' in descriptor
          ? 'accessor'
          : 'method';
    const designType: unknown = Reflect.getMetadata('design:type', target, key);
    this.recordProperty(owner, propertyName(key), placement, 'legacy', designType, record);
  }

  /** A standard member decorator's call: `(value, context)`. */
  recordStandardProperty(context: DecoratorContext, record: PropertyRecord): void {
    const placement = placementOf(context);
    const property = propertyName(context.name ?? 'anonymous');
    if (placement === undefined) {
      throw EntityDefinitionError.at(
        String(context.name ?? 'anonymous class'),
        undefined,
        'a property decorator of theorydb was applied to a class; apply it to a field',
      );
    }
    const metadata = context.metadata as object | undefined;
    if (typeof metadata !== 'object' || metadata === null) {
      throw EntityDefinitionError.at(
        'a class',
        property,
        'the standard decorator call has no context.metadata, so theorydb cannot record it; ' +
          'compile with TypeScript 5.2 or later, or an esbuild that supports decorator metadata',
      );
    }
    const pending = pendingOf(metadata, true)!;
    if (pending.adoptedBy !== undefined) {
      // Applied by hand after the class was adopted: record it like a legacy call would.
      const owner = pending.adoptedBy as Constructor;
      this.recordProperty(owner, property, placement, 'standard', undefined, record);
      return;
    }
    pending.records.push({ property, placement, record });
    if (!pending.initializer && placement !== 'static') {
      pending.initializer = true;
      // A class that no @Entity adopts (a base or a nested class) is adopted when its first
      // instance is constructed, so that instance already prints its encrypted fields redacted
      // and the nested-entity guard knows the class. After that, one boolean check per instance.
      context.addInitializer(function (this: unknown) {
        if (pending.adoptedBy === undefined) metadataStorage.adoptFromInstance(this, metadata);
      });
    }
  }

  /**
   * Marks the classes, and every class on their prototype chains, as used: metadata resolved from
   * their declarations is cached, so a declaration recorded later would be ignored, and a late
   * `@Encrypted` would print `[REDACTED]` while the property is still written in clear. Every
   * record on a sealed class is refused instead, with `EntityDefinitionError`.
   */
  seal(targets: readonly Constructor[]): void {
    for (const target of targets) {
      for (const c of classChain(target)) this.sealed.add(c);
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
   * The declarations of a class, inherited ones first. A subclass that decorates an inherited
   * property refines its declaration rather than replacing it (see {@link inherit}), so it can
   * rename or index the property but never drop `@Encrypted` from it. A class whose own
   * declarations were recorded in both decorator standards is refused.
   */
  declarationsOf(target: Constructor): {
    entity: EntityOptions | undefined;
    properties: PropertyDeclaration[];
  } {
    const chain = classChain(target).reverse();
    const properties = new Map<string, PropertyDeclaration>();
    for (const c of chain) {
      this.adopt(c, ownMetadataOf(c));
      const declaration = this.classes.get(c);
      if (declaration !== undefined && declaration.modes.size > 1) refuseMixedModes(c);
      for (const [name, property] of declaration?.properties ?? []) {
        const inherited = properties.get(name);
        properties.set(name, inherited === undefined ? property : inherit(inherited, property));
      }
    }
    return { entity: this.classes.get(target)?.entity, properties: [...properties.values()] };
  }

  /**
   * True when some legacy-decorated property of `owner` has a `design:type`. When none has, the
   * compiler or runner emits no decorator metadata at all (tsx, esbuild, vitest, bun), which is
   * what a missing type's message must say.
   */
  emitsDesignTypes(owner: Constructor): boolean {
    for (const property of this.classes.get(owner)?.properties.values() ?? []) {
      if (property.mode === 'legacy' && property.designType !== undefined) return true;
    }
    return false;
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

  /**
   * Finds, from an instance under construction, the class whose standard metadata object this is
   * (walking the instance's prototypes, the class being the one that owns both that prototype and
   * the metadata), and adopts it.
   */
  adoptFromInstance(instance: unknown, metadata: object): void {
    for (
      let p = (
        typeof instance === 'object' && instance !== null ? Object.getPrototypeOf(instance) : null
      ) as object | null;
      p !== null && p !== Object.prototype;
      p = Object.getPrototypeOf(p) as object | null
    ) {
      const c = (p as { constructor?: unknown }).constructor;
      if (typeof c === 'function' && c.prototype === p && ownMetadataOf(c) === metadata) {
        this.adopt(c as Constructor, metadata);
        return;
      }
    }
  }

  /** Applies a class's pending standard declarations, once. */
  private adopt(target: Constructor, metadata: object | undefined): void {
    const pending = metadata === undefined ? undefined : pendingOf(metadata, false);
    if (pending === undefined || pending.adoptedBy !== undefined) return;
    pending.adoptedBy = target;
    for (const { property, placement, record } of pending.records) {
      this.recordProperty(target, property, placement, 'standard', undefined, record);
    }
  }

  private recordProperty(
    owner: Constructor,
    property: string,
    placement: MemberPlacement,
    mode: DecoratorMode,
    designType: unknown,
    record: PropertyRecord,
  ): void {
    this.refuseSealed(owner, property);
    const prototype = owner.prototype as object;
    this.decoratedPrototypes.add(prototype);
    const declaration = this.declarationOf(owner);
    declaration.modes.add(mode);
    // A static member is its own declaration, never merged into the instance field of its name.
    const key = placement === 'static' ? `static ${property}` : property;
    let recorded = declaration.properties.get(key);
    if (recorded === undefined) {
      recorded = {
        owner,
        property,
        placement,
        mode,
        designType,
        roles: [],
        indexes: [],
        encrypted: undefined,
        signed: undefined,
      };
      declaration.properties.set(key, recorded);
    }
    record(recorded, prototype);
  }

  private declarationOf(target: Constructor): ClassDeclaration {
    let declaration = this.classes.get(target);
    if (declaration === undefined) {
      declaration = { target, entity: undefined, properties: new Map(), modes: new Set() };
      this.classes.set(target, declaration);
    }
    return declaration;
  }
}

/** The class and the classes it inherits from, the class first. */
function classChain(target: Constructor): Constructor[] {
  const chain: Constructor[] = [];
  for (let c: unknown = target; typeof c === 'function' && c !== Function.prototype;) {
    chain.push(c as Constructor);
    c = Object.getPrototypeOf(c);
  }
  return chain;
}

/** Symbol-keyed properties cannot be mapped; discovery reports them by this name. */
export function propertyName(property: string | symbol): string {
  return typeof property === 'string' ? property : `[${property.description ?? 'symbol'}]`;
}

function refuseMixedModes(target: Constructor): never {
  throw EntityDefinitionError.at(
    target.name || 'anonymous class',
    undefined,
    'mixes legacy decorators (experimentalDecorators, called as (prototype, key)) with standard ' +
      'decorators (called as (value, context)) on one class; theorydb records them differently ' +
      '(design:type against context.metadata), so a class must use one standard. Compile all of ' +
      'its decorators with one tsconfig, or apply them the same way',
  );
}

/** The process-wide store the decorators write to. */
export const metadataStorage = new MetadataStorage();

/**
 * A subclass's declaration of a property its base already declares. Roles are replaced when the
 * subclass gives one (that is how it renames: `@Attribute({ name })`); indexes accumulate, the
 * subclass's options winning for an index both name; `@Encrypted` is sticky, with the subclass
 * free only to choose another key. The property's type and date format (`type`, `items`,
 * `dateFormat`) carry over to the new role unless the subclass gives its own: a rename changes
 * where the value is stored, not what it is, and standard decorators have no design:type to fall
 * back on. Discovery then validates the merged declaration exactly as it
 * validates one class, so what it refuses on a class it refuses through inheritance.
 */
function inherit(base: PropertyDeclaration, own: PropertyDeclaration): PropertyDeclaration {
  const redeclared = new Set(own.indexes.map((i) => i.index));
  return {
    owner: own.owner,
    property: own.property,
    placement: own.placement,
    mode: own.mode,
    designType: own.designType ?? base.designType,
    roles: own.roles.length > 0 ? own.roles.map((r) => inheritType(base, r)) : base.roles,
    indexes: [...base.indexes.filter((i) => !redeclared.has(i.index)), ...own.indexes],
    encrypted:
      own.encrypted === undefined || base.encrypted === undefined
        ? (own.encrypted ?? base.encrypted)
        : { ...own.encrypted, type: own.encrypted.type ?? base.encrypted.type },
    // Sticky like @Encrypted: a subclass cannot take the item's authentication off an attribute.
    signed:
      own.signed === undefined || base.signed === undefined
        ? (own.signed ?? base.signed)
        : { ...own.signed, type: own.signed.type ?? base.signed.type },
  };
}

/**
 * A subclass's role with the base's `type`, `items` and `dateFormat` where it gives none of its
 * own. Its `name` is its own: a redeclaration without one stores under the property name.
 */
function inheritType(base: PropertyDeclaration, own: RoleDeclaration): RoleDeclaration {
  const inherited = base.roles[0]?.options;
  if (inherited === undefined) return own;
  const options = { ...own.options };
  for (const option of ['type', 'items', 'dateFormat'] as const) {
    if (options[option] === undefined && inherited[option] !== undefined) {
      Object.assign(options, { [option]: inherited[option] });
    }
  }
  return { role: own.role, options };
}
