import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EncryptionError, ValidationError } from '../errors';
import type { AttributeMetadata, EntityMetadata } from '../metadata/entity-metadata';

/** What an expression needs to know of one property. */
export interface ResolvedPath {
  readonly attribute: AttributeMetadata;
  /** The property's value as DynamoDB stores it (through its codec). */
  value(value: unknown): AttributeValue;
}

/**
 * Maps the property names of conditions, key conditions, updates and projections to attributes,
 * refusing unknown properties and, unless allowed, encrypted ones: DynamoDB would compare their
 * ciphertext, so an expression on an encrypted value is always a mistake.
 */
export class PathResolver {
  constructor(private readonly metadata: EntityMetadata) {}

  /**
   * The attribute for `property`. `allowEncrypted` is for the operations that do not send the
   * attribute to DynamoDB as such (projections, updates, which go through the envelope).
   */
  resolve(property: string, usage: string, allowEncrypted = false): ResolvedPath {
    const { className, entityName } = this.metadata;
    const attribute = this.metadata.byProperty.get(property);
    if (attribute === undefined) {
      throw new ValidationError(
        `${className} has no stored property '${property}'`,
        className,
        property,
      );
    }
    if (attribute.encryption !== undefined && !allowEncrypted) {
      throw new EncryptionError(
        'ENCRYPTED_FIELD_NOT_QUERYABLE',
        `${className}.${property} is encrypted and cannot be used in ${usage}: its value, and whether it is set, are sealed in the item's envelope`,
        { entity: entityName, field: property },
      );
    }
    return {
      attribute,
      value: (value) => {
        if (value === null) return { NULL: true };
        const written = attribute.codec.write(value);
        if (written === undefined) {
          throw new ValidationError(
            `${className}.${property}: an empty set cannot be used in ${usage}`,
            className,
            property,
          );
        }
        return written;
      },
    };
  }
}
