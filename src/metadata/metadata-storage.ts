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

  recordEntity(target: Constructor, options: EntityOptions): void {
    this.declarationOf(target).entity = { ...options };
  }

  recordRole(prototype: object, property: string, role: PropertyRole, options: AttributeOptions) {
    this.propertyOf(prototype, property).roles.push({ role, options: { ...options } });
  }

  recordIndex(prototype: object, property: string, index: string, options: IndexOptions): void {
    this.propertyOf(prototype, property).indexes.push({ index, options: { ...options } });
  }

  recordEncrypted(prototype: object, property: string, options: EncryptedOptions): void {
    this.propertyOf(prototype, property).encrypted = { ...options };
  }

  /**
   * The declarations of a class, inherited ones first: a subclass sees the properties its base
   * classes declared, and may redeclare them.
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
        properties.set(name, declaration);
      }
    }
    return { entity: this.classes.get(target)?.entity, properties: [...properties.values()] };
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
