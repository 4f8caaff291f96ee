import { EntityDefinitionError } from '../errors';
import { codecFor, type NestedClassResolver } from '../mapping/codec-factory';
import type { EmbeddedField } from '../mapping/codecs/embedded-codec';
import type {
  Constructor,
  EntityOptions,
  PropertyDeclaration,
  PropertyRole,
  RoleDeclaration,
} from './declarations';
import type {
  AttributeMetadata,
  EntityMetadata,
  IndexMetadata,
  KeyAttributeMetadata,
} from './entity-metadata';
import { deepFreeze, ImmutableMap } from './immutable';
import { resolveLazyType } from './lazy-type';
import { metadataStorage } from './metadata-storage';
import { ENCRYPTABLE_TYPES, LIFECYCLE_TYPES, defaultTypeFor } from './type-defaults';

const resolved = new WeakMap<Constructor, EntityMetadata>();

/**
 * The validated metadata of an entity class, resolved at its first use and cached. Throws
 * {@link EntityDefinitionError} naming the class, the property and the fix when the declarations
 * do not make a usable entity.
 */
export function entityMetadata<T extends object>(target: Constructor<T>): EntityMetadata<T> {
  const cached = resolved.get(target);
  if (cached !== undefined) return cached as EntityMetadata<T>;
  const nestedClasses: Constructor[] = [];
  const metadata = discover(target, nestedClasses);
  // From now on the cached metadata is what every operation uses, so a decorator applied later
  // to this class, a base of it or a nested class it maps could not take effect: it is refused.
  metadataStorage.seal([target, ...nestedClasses]);
  resolved.set(target, metadata);
  return metadata;
}

/**
 * Attribute names theorydb keeps for itself: the item envelopes (`__td`, and `__td:<key name>`
 * for a named key binding). An entity attribute under such a name could be mistaken for one.
 */
export const RESERVED_ATTRIBUTE_PREFIX = '__td';

function discover<T extends object>(
  target: Constructor<T>,
  nestedClasses: Constructor[],
): EntityMetadata<T> {
  if (typeof target !== 'function') {
    throw new EntityDefinitionError('expected an entity class', String(target));
  }
  const className = target.name || 'anonymous class';
  checkChains(className, target);
  const { entity, properties } = metadataStorage.declarationsOf(target);
  const options = checkEntityOptions(className, entity);
  const entityName = options.name ?? className;
  const nested = nestedResolver(nestedClasses);
  for (const p of properties) {
    if (p.encrypted !== undefined) checkPlainField(className, target, p.property);
  }
  const attributes = properties.map((p) => resolveAttribute(className, p, nested));
  checkUniqueAttributeNames(className, attributes);

  const withRole = (role: PropertyRole) => attributes.filter((a) => a.role === role);
  const partitionKeys = withRole('partitionKey');
  if (partitionKeys.length === 0) {
    throw EntityDefinitionError.at(
      className,
      undefined,
      'has no partition key: add @PartitionKey() to one property',
    );
  }
  if (partitionKeys.length > 1) {
    throw EntityDefinitionError.at(
      className,
      partitionKeys[1].property,
      `a second @PartitionKey (the first is ${partitionKeys[0].property}); an entity has exactly one`,
    );
  }
  const single = (role: PropertyRole, decorator: string) => {
    const found = withRole(role);
    if (found.length > 1) {
      throw EntityDefinitionError.at(
        className,
        found[1].property,
        `a second ${decorator} (the first is ${found[0].property}); an entity has at most one`,
      );
    }
    return found[0];
  };
  const partitionKey = asKey(className, partitionKeys[0], '@PartitionKey');
  const sortKeyAttribute = single('sortKey', '@SortKey');
  const sortKey =
    sortKeyAttribute === undefined ? undefined : asKey(className, sortKeyAttribute, '@SortKey');
  const indexes = resolveIndexes(className, properties, attributes, partitionKey);
  const local = indexes.find((i) => i.kind === 'local');
  if (local !== undefined && sortKey === undefined) {
    throw EntityDefinitionError.at(
      className,
      local.sortKey?.property,
      `local index '${local.name}' needs a table with a sort key: add @SortKey(), or make the index global`,
    );
  }

  const encryptedAttributes = attributes.filter((a) => a.encryption !== undefined);
  const isKey = (a: AttributeMetadata) => a === partitionKey || a === sortKeyAttribute;
  const signedAttributes = attributes.filter((a) => a.signed && !isKey(a));
  const protectedBy =
    encryptedAttributes.length > 0
      ? '@Encrypted'
      : attributes.some((a) => a.signed)
        ? '@Signed'
        : undefined;
  if (protectedBy !== undefined && options.name === undefined) {
    throw EntityDefinitionError.at(
      className,
      undefined,
      `has ${protectedBy} properties, so it must name itself: @Entity({ table, name: '${className}' }). ` +
        'The entity name is bound into every item envelope; the class name changes when a bundler ' +
        'minifies the code (esbuild --minify) or the class is renamed, and every stored item ' +
        'would then fail to authenticate',
    );
  }

  const metadata: EntityMetadata<T> = {
    target,
    className,
    entityName,
    table: options.table,
    attributes,
    byProperty: new ImmutableMap(attributes.map((a) => [a.property, a])),
    byAttribute: new ImmutableMap(attributes.map((a) => [a.attribute, a])),
    partitionKey,
    sortKey,
    keyAttributes: sortKey === undefined ? [partitionKey] : [partitionKey, sortKey],
    encryptedAttributes,
    plainAttributes: attributes.filter((a) => a.encryption === undefined),
    signedAttributes,
    version: single('version', '@Version'),
    createdAt: single('createdAt', '@CreatedAt'),
    updatedAt: single('updatedAt', '@UpdatedAt'),
    ttl: single('ttl', '@Ttl'),
    indexes,
  };
  return deepFreeze(metadata);
}

/** DynamoDB's rule for table and index names; anything else fails later as SDK validation. */
const DYNAMODB_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const NAME_CHARACTERS = 'table and index names may only hold a-z, A-Z, 0-9, _, - and .';

function checkEntityOptions(className: string, entity: EntityOptions | undefined): EntityOptions {
  if (entity === undefined) {
    throw EntityDefinitionError.at(
      className,
      undefined,
      'is not an entity: add @Entity({ table: "..." }) to the class',
    );
  }
  if (typeof entity.table !== 'string' || entity.table.length < 3 || entity.table.length > 255) {
    throw EntityDefinitionError.at(
      className,
      undefined,
      '@Entity needs a table name of 3 to 255 characters',
    );
  }
  if (!DYNAMODB_NAME.test(entity.table)) {
    throw EntityDefinitionError.at(className, undefined, `@Entity: ${NAME_CHARACTERS}`);
  }
  if (entity.name !== undefined && (typeof entity.name !== 'string' || entity.name.length === 0)) {
    throw EntityDefinitionError.at(
      className,
      undefined,
      '@Entity({ name }) must be a non-empty string',
    );
  }
  return entity;
}

function roleOf(className: string, declaration: PropertyDeclaration): RoleDeclaration {
  const { roles, property } = declaration;
  if (property.startsWith('[')) {
    throw EntityDefinitionError.at(
      className,
      property,
      'symbol-keyed properties cannot be stored; use a string name',
    );
  }
  if (roles.length > 1) {
    const names = roles.map((r) => `@${decoratorName(r.role)}`).join(' and ');
    throw EntityDefinitionError.at(
      className,
      property,
      `has ${names}; a property has exactly one role`,
    );
  }
  // @Encrypted and @Index imply @Attribute, so the common case needs one decorator.
  return roles[0] ?? { role: 'attribute', options: {} };
}

function resolveAttribute(
  className: string,
  declaration: PropertyDeclaration,
  nested: NestedClassResolver,
): AttributeMetadata {
  const { property } = declaration;
  const { role, options } = roleOf(className, declaration);
  const attribute = options.name ?? property;
  // DynamoDB counts key attribute names in UTF-8 bytes (at most 255); the same bound for all.
  if (
    typeof attribute !== 'string' ||
    attribute.length === 0 ||
    Buffer.byteLength(attribute, 'utf8') > 255
  ) {
    throw EntityDefinitionError.at(
      className,
      property,
      'the attribute name must be 1 to 255 bytes of UTF-8',
    );
  }
  if (attribute.startsWith(RESERVED_ATTRIBUTE_PREFIX)) {
    throw EntityDefinitionError.at(
      className,
      property,
      `attribute names starting with ${RESERVED_ATTRIBUTE_PREFIX} are reserved for theorydb's item envelopes; give it another { name }`,
    );
  }
  if (attribute === '__proto__') {
    // As a key of a plain object it would set the prototype: the value would never be stored.
    throw EntityDefinitionError.at(
      className,
      property,
      'the attribute name __proto__ cannot be used; give it another { name }',
    );
  }
  checkPlacement(className, declaration);
  const encryption = resolveEncryption(className, declaration, role);
  const explicit = explicitType(className, declaration, options);
  let type = explicit ?? declaration.designType;
  let inferred = explicit === undefined;
  const lifecycle = LIFECYCLE_TYPES[role];
  if (lifecycle !== undefined) {
    // The lifecycle decorators state their own type (see type-defaults.ts): the one safe default.
    if (inferred && (type === undefined || type === Object)) {
      type = defaultTypeFor(role);
      inferred = false;
    }
    if (!lifecycle.includes(type)) {
      const allowed = lifecycle.map((t) => (t as { name: string }).name).join(', ');
      throw EntityDefinitionError.at(
        className,
        property,
        `@${decoratorName(role)} must be one of: ${allowed}`,
      );
    }
  }
  if (type === undefined) throw missingType(className, declaration, role);
  if (encryption !== undefined && !ENCRYPTABLE_TYPES.includes(type)) {
    throw EntityDefinitionError.at(
      className,
      property,
      'an encrypted field holds a string, number, bigint, boolean, Date, Uint8Array, Set, ' +
        'plain object or array; nested classes cannot be encrypted',
    );
  }
  const dateFormat = role === 'ttl' ? 'epochSeconds' : (options.dateFormat ?? 'iso');
  const site = { entity: className, property, attribute };
  const result = codecFor(
    {
      site,
      type,
      items: resolveLazyType(options.items) ?? classTransformerItems(declaration, type),
      dateFormat,
      inferred,
    },
    nested,
  );
  if ('unmappable' in result) {
    throw EntityDefinitionError.at(className, property, `cannot be mapped: ${result.unmappable}`);
  }
  if (declaration.signed !== undefined && encryption !== undefined) {
    throw EntityDefinitionError.at(
      className,
      property,
      '@Signed and @Encrypted together: an encrypted value is already authenticated with its item; keep one',
    );
  }
  return {
    property,
    attribute,
    role,
    codec: result.codec,
    encryption,
    signed: declaration.signed !== undefined,
  };
}

/**
 * Only instance fields and get/set accessors hold a value per instance that theorydb can read and
 * write by name; the same refusal in both decorator standards.
 */
function checkPlacement(className: string, declaration: PropertyDeclaration): void {
  const problems: Partial<Record<PropertyDeclaration['placement'], string>> = {
    method: 'is a method; theorydb stores instance fields (or get/set accessors): decorate a field',
    static: 'is static; theorydb stores instance fields only: decorate an instance field',
    // Its value lives in a private slot that only the constructor creates, and theorydb builds
    // loaded entities without running the constructor, so it could never set it.
    'auto-accessor':
      'is an auto-accessor (accessor keyword), whose value lives in a private slot that ' +
      'theorydb cannot set on a loaded entity: make it a plain field',
    private:
      'is a private (#) member, which theorydb cannot read or write by name: use a public ' +
      'field (TypeScript private is fine)',
  };
  const problem = problems[declaration.placement];
  if (problem !== undefined)
    throw EntityDefinitionError.at(className, declaration.property, problem);
}

/**
 * The `type` the decorators give: `@Attribute({ type })` (or any role's) or `@Encrypted({ type })`,
 * which must agree when both are given.
 */
function explicitType(
  className: string,
  declaration: PropertyDeclaration,
  options: { type?: unknown },
): unknown {
  const given: [string, unknown][] = [
    ['@Attribute', resolveLazyType(options.type)],
    ['@Encrypted', resolveLazyType(declaration.encrypted?.type)],
    ['@Signed', resolveLazyType(declaration.signed?.type)],
  ];
  const stated = given.filter(([, type]) => type !== undefined);
  const conflicting = stated.find(([, type]) => type !== stated[0][1]);
  if (conflicting !== undefined) {
    const label = ([decorator, type]: [string, unknown]) =>
      decorator === '@Attribute' ? typeName(type) : `${decorator}({ type: ${typeName(type)} })`;
    throw EntityDefinitionError.at(
      className,
      declaration.property,
      `is given two types (${label(stated[0])} and ${label(conflicting)}); give it once`,
    );
  }
  return stated[0]?.[1];
}

function typeName(type: unknown): string {
  const name = (type as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : String(type);
}

/**
 * No `type` option and no `design:type`. The message names the real cause: standard decorators
 * never carry a type; a legacy class none of whose properties has `design:type` was compiled by
 * something that emits no decorator metadata, whatever the tsconfig says (so turning
 * emitDecoratorMetadata on is not the fix).
 */
function missingType(
  className: string,
  declaration: PropertyDeclaration,
  role: PropertyRole,
): EntityDefinitionError {
  const { property } = declaration;
  const decorator =
    declaration.encrypted !== undefined && role === 'attribute' ? 'Encrypted' : decoratorName(role);
  const fix =
    `@${decorator}({ type: String }) (or Number, Boolean, BigInt, Date, Uint8Array, Object, ` +
    'Array, Set, or a class)';
  const stacking =
    decorator === 'Encrypted'
      ? '; stacking @Attribute({ type: String }) @Encrypted() works too'
      : '';
  if (declaration.mode === 'standard') {
    return EntityDefinitionError.at(
      className,
      property,
      'has no type: standard decorators carry no type information (there is no design:type ' +
        `without experimentalDecorators), so every property except @Version, @CreatedAt, ` +
        `@UpdatedAt and @Ttl declares its type: ${fix}${stacking}`,
    );
  }
  if (!metadataStorage.emitsDesignTypes(declaration.owner)) {
    const owner = declaration.owner.name || 'the class';
    return EntityDefinitionError.at(
      className,
      property,
      `has no type: the compiler or runner emits no decorator metadata (no property of ${owner} ` +
        'has design:type). tsx, esbuild, vitest and bun never emit it, whatever the tsconfig ' +
        `says. Give each property its type, ${fix}${stacking}, or use standard decorators ` +
        '(README: "Decorators: legacy and standard")',
    );
  }
  return EntityDefinitionError.at(
    className,
    property,
    `has no type: no design:type was emitted for it (other properties of the class have one, so ` +
      `it was probably decorated from plain JavaScript); declare it: ${fix}${stacking}`,
  );
}

function resolveEncryption(
  className: string,
  declaration: PropertyDeclaration,
  role: PropertyRole,
): AttributeMetadata['encryption'] {
  const { encrypted, property, indexes } = declaration;
  if (encrypted === undefined) return undefined;
  if (role === 'partitionKey' || role === 'sortKey') {
    throw EntityDefinitionError.at(
      className,
      property,
      '@Encrypted cannot be used on a key attribute: DynamoDB must read keys in clear. Encrypt another attribute, or key by an opaque id',
    );
  }
  if (indexes.length > 0) {
    throw EntityDefinitionError.at(
      className,
      property,
      `@Encrypted cannot be used on an index key (${indexes[0].index}): DynamoDB must read index keys in clear`,
    );
  }
  if (role !== 'attribute') {
    throw EntityDefinitionError.at(
      className,
      property,
      `@Encrypted cannot be used with @${decoratorName(role)}: DynamoDB must read it in clear`,
    );
  }
  if (
    encrypted.key !== undefined &&
    (typeof encrypted.key !== 'string' || encrypted.key.length === 0)
  ) {
    throw EntityDefinitionError.at(
      className,
      property,
      '@Encrypted({ key }) must be a non-empty key name',
    );
  }
  return Object.freeze({ keyName: encrypted.key });
}

/**
 * Declarations are inherited along the class chain (`Object.getPrototypeOf(Cls)`), while
 * redaction, the exact-class check and the nested-entity guard follow the instances' prototype
 * chain. `extends` links both; a class linked to its base by one of them only (a hand-rolled
 * mixin) would be stored with a base's `@Encrypted` fields encrypted and print them in clear. So
 * every class on the chain must have its base's prototype as its prototype's prototype.
 */
function checkChains(className: string, target: Constructor): void {
  for (
    let c: unknown = target, base: unknown = Object.getPrototypeOf(target);
    typeof base === 'function' && base !== Function.prototype;
    c = base, base = Object.getPrototypeOf(base)
  ) {
    const prototype = (c as Constructor).prototype as object | undefined;
    const baseName = (base as Constructor).name || 'an anonymous class';
    if (typeof prototype !== 'object' || Object.getPrototypeOf(prototype) !== base.prototype) {
      throw EntityDefinitionError.at(
        className,
        undefined,
        `inherits from ${baseName} as a class (Object.getPrototypeOf) but its instances do not ` +
          `(the prototype chain skips ${baseName}.prototype), so they would print inherited ` +
          '@Encrypted fields in clear: use extends, or link both chains',
      );
    }
  }
}

/**
 * An encrypted property must be a plain field. On an accessor (or where a subclass redefines the
 * field as one) the value lives in some backing field theorydb does not know, which would then
 * print, serialise and copy in clear.
 */
function checkPlainField(className: string, target: Constructor, property: string): void {
  for (
    let prototype = target.prototype as object | null;
    prototype !== null && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, property);
    if (descriptor === undefined) continue;
    const what = 'value' in descriptor ? 'a method or prototype value' : 'an accessor';
    throw EntityDefinitionError.at(
      className,
      property,
      `@Encrypted must be on a plain field, and ${property} is ${what} (get/set): its backing ` +
        'field would be stored, printed and serialised in clear. Make it a field',
    );
  }
}

function asKey(
  className: string,
  attribute: AttributeMetadata,
  decorator: string,
): KeyAttributeMetadata {
  const keyType = attribute.codec.keyType;
  if (keyType === undefined) {
    throw EntityDefinitionError.at(
      className,
      attribute.property,
      `${decorator} must be a string, number, bigint, Uint8Array or Date, not ${attribute.codec.kind}`,
    );
  }
  return { ...attribute, keyType };
}

function checkUniqueAttributeNames(className: string, attributes: readonly AttributeMetadata[]) {
  const seen = new Map<string, string>();
  for (const a of attributes) {
    const other = seen.get(a.attribute);
    if (other !== undefined) {
      throw EntityDefinitionError.at(
        className,
        a.property,
        `uses attribute name "${a.attribute}", already used by ${other}; give one of them another { name }`,
      );
    }
    seen.set(a.attribute, a.property);
  }
}

function resolveIndexes(
  className: string,
  properties: readonly PropertyDeclaration[],
  attributes: readonly AttributeMetadata[],
  tablePartitionKey: KeyAttributeMetadata,
): IndexMetadata[] {
  const byName = new Map<
    string,
    { partition?: AttributeMetadata; sort?: AttributeMetadata; kind?: 'global' | 'local' }
  >();
  properties.forEach((declaration, i) => {
    for (const { index, options } of declaration.indexes) {
      const property = declaration.property;
      if (typeof index !== 'string' || index.length < 3 || index.length > 255) {
        throw EntityDefinitionError.at(
          className,
          property,
          '@Index needs a name of 3 to 255 characters',
        );
      }
      if (!DYNAMODB_NAME.test(index)) {
        throw EntityDefinitionError.at(
          className,
          property,
          `@Index('${index}'): ${NAME_CHARACTERS}`,
        );
      }
      if (
        options.partition === options.sort ||
        (options.partition !== true && options.sort !== true)
      ) {
        throw EntityDefinitionError.at(
          className,
          property,
          `@Index('${index}') needs exactly one of { partition: true } or { sort: true }`,
        );
      }
      const entry = byName.get(index) ?? {};
      const slot = options.partition === true ? 'partition' : 'sort';
      if (entry[slot] !== undefined) {
        throw EntityDefinitionError.at(
          className,
          property,
          `index '${index}' already has a ${slot} key (${entry[slot].property})`,
        );
      }
      entry[slot] = attributes[i];
      if (options.kind !== undefined) {
        if (entry.kind !== undefined && entry.kind !== options.kind) {
          throw EntityDefinitionError.at(
            className,
            property,
            `index '${index}' is declared both global and local`,
          );
        }
        entry.kind = options.kind;
      }
      byName.set(index, entry);
    }
  });
  const indexes: IndexMetadata[] = [];
  for (const [name, entry] of byName) {
    const kind = entry.kind ?? (entry.partition === undefined ? 'local' : 'global');
    const at = (entry.partition ?? entry.sort)?.property;
    if (kind === 'global' && entry.partition === undefined) {
      throw EntityDefinitionError.at(
        className,
        at,
        `global index '${name}' has no partition key: add @Index('${name}', { partition: true })`,
      );
    }
    if (kind === 'local' && entry.sort === undefined) {
      throw EntityDefinitionError.at(className, at, `local index '${name}' needs a sort key`);
    }
    if (
      kind === 'local' &&
      entry.partition !== undefined &&
      entry.partition !== tablePartitionKey
    ) {
      throw EntityDefinitionError.at(
        className,
        at,
        `local index '${name}' shares the table's partition key; declare only its sort key`,
      );
    }
    const partition =
      kind === 'local'
        ? tablePartitionKey
        : asKey(className, entry.partition!, `@Index('${name}')`);
    const sort =
      entry.sort === undefined ? undefined : asKey(className, entry.sort, `@Index('${name}')`);
    indexes.push({ name, kind, partitionKey: partition, sortKey: sort });
  }
  return indexes;
}

/**
 * Nested classes with theorydb decorators are mapped field by field; cycles are allowed. Each
 * class whose fields are resolved is added to `used`, to be sealed with the entity.
 */
function nestedResolver(used: Constructor[]): NestedClassResolver {
  const resolvedFields = new Map<Constructor<object>, EmbeddedField[]>();
  const resolver: NestedClassResolver = {
    fields(target) {
      if (!metadataStorage.isDecorated(target)) return undefined;
      let fields = resolvedFields.get(target);
      if (fields === undefined) {
        fields = [];
        resolvedFields.set(target, fields);
        used.push(target);
        const className = target.name || 'anonymous class';
        for (const declaration of metadataStorage.declarationsOf(target).properties) {
          const a = resolveAttribute(className, declaration, resolver);
          if (
            a.role !== 'attribute' ||
            a.encryption !== undefined ||
            a.signed ||
            declaration.indexes.length > 0
          ) {
            throw EntityDefinitionError.at(
              className,
              a.property,
              'a nested class maps plain @Attribute properties only (no keys, lifecycle, index, @Encrypted or @Signed)',
            );
          }
          fields.push({ property: a.property, attribute: a.attribute, codec: a.codec });
        }
      }
      const ready = fields;
      return () => ready;
    },
  };
  return resolver;
}

function classTransformerItems(declaration: PropertyDeclaration, type: unknown): unknown {
  return type === Array || type === Set
    ? metadataStorage.classTransformerType(declaration.owner, declaration.property)
    : undefined;
}

function decoratorName(role: PropertyRole): string {
  const names: Record<PropertyRole, string> = {
    partitionKey: 'PartitionKey',
    sortKey: 'SortKey',
    attribute: 'Attribute',
    version: 'Version',
    createdAt: 'CreatedAt',
    updatedAt: 'UpdatedAt',
    ttl: 'Ttl',
  };
  return names[role];
}
