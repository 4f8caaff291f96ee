import type { AttributeCodec, KeyAttributeType } from '../mapping/attribute-codec';
import type { Constructor, PropertyRole } from './declarations';

/** One mapped property, resolved and validated. */
export interface AttributeMetadata {
  /** The property name on the class. */
  readonly property: string;
  /** The DynamoDB attribute name. */
  readonly attribute: string;
  readonly role: PropertyRole;
  readonly codec: AttributeCodec;
  /** Set for encrypted properties: the bound key name, or undefined for the default key. */
  readonly encryption: { readonly keyName: string | undefined } | undefined;
  /** True for a `@Signed` attribute (key attributes are bound whether or not they are signed). */
  readonly signed: boolean;
}

/** A key attribute: a property with a scalar DynamoDB type. */
export interface KeyAttributeMetadata extends AttributeMetadata {
  readonly keyType: KeyAttributeType;
}

/** A secondary index, from `@Index` declarations. */
export interface IndexMetadata {
  readonly name: string;
  readonly kind: 'global' | 'local';
  readonly partitionKey: KeyAttributeMetadata;
  readonly sortKey: KeyAttributeMetadata | undefined;
}

/**
 * Everything theorydb knows about an entity class, resolved and validated once at first use and
 * frozen. The repository's pipelines read only this, never the decorators or `Reflect`.
 */
export interface EntityMetadata<T extends object = object> {
  readonly target: Constructor<T>;
  /** The class name, for messages. */
  readonly className: string;
  /** The entity name bound into ciphertexts: `@Entity({ name })`, by default the class name. */
  readonly entityName: string;
  readonly table: string;
  readonly attributes: readonly AttributeMetadata[];
  readonly byProperty: ReadonlyMap<string, AttributeMetadata>;
  readonly byAttribute: ReadonlyMap<string, AttributeMetadata>;
  readonly partitionKey: KeyAttributeMetadata;
  readonly sortKey: KeyAttributeMetadata | undefined;
  /** The key attributes, partition key first. */
  readonly keyAttributes: readonly KeyAttributeMetadata[];
  readonly encryptedAttributes: readonly AttributeMetadata[];
  readonly plainAttributes: readonly AttributeMetadata[];
  /** The `@Signed` attributes that are not table keys (the keys are always bound). */
  readonly signedAttributes: readonly AttributeMetadata[];
  readonly version: AttributeMetadata | undefined;
  readonly createdAt: AttributeMetadata | undefined;
  readonly updatedAt: AttributeMetadata | undefined;
  readonly ttl: AttributeMetadata | undefined;
  readonly indexes: readonly IndexMetadata[];
}
