import { ValidationError } from '../errors';
import type { ExpressionContext } from '../expressions/expression-context';
import { PathResolver } from '../expressions/path-resolver';
import type { EntityMetadata } from '../metadata/entity-metadata';
import { envelopeAttributes } from '../repository/envelope-bindings';

/** What `.select(...)` reads: the properties the caller asked for and the attributes fetched. */
export interface Projection {
  /** The selected properties: the only ones the returned instances carry. */
  readonly properties: ReadonlySet<string>;
  /**
   * The attributes requested from DynamoDB: the selected ones, plus the table's key attributes
   * when an encrypted property is selected, because every ciphertext is bound to its item's key
   * and cannot be opened without it.
   */
  readonly attributes: readonly string[];
  /**
   * True when a selected property is encrypted or `@Signed`: the item's envelopes and every
   * signed attribute are fetched and checked as on a full read. False when only plain, unsigned
   * properties are selected; nothing authenticates those on any read, so the envelope is not
   * fetched.
   */
  readonly verified: boolean;
}

/** The projection of `properties`, each checked to be a stored property of the entity. */
export function projectionOf(metadata: EntityMetadata, properties: readonly unknown[]): Projection {
  if (properties.length === 0) {
    throw new ValidationError(
      `${metadata.className}: select() needs at least one property`,
      metadata.className,
    );
  }
  const paths = new PathResolver(metadata);
  const selected = new Set<string>();
  const attributes: string[] = [];
  const fetch = (attribute: string) => {
    if (!attributes.includes(attribute)) attributes.push(attribute);
  };
  let encrypted = false;
  for (const property of properties) {
    if (typeof property !== 'string') {
      throw new ValidationError(
        `${metadata.className}: select() takes property names`,
        metadata.className,
      );
    }
    const { attribute } = paths.resolve(property, 'a projection', true);
    selected.add(property);
    fetch(attribute.attribute);
    encrypted ||= attribute.encryption !== undefined || attribute.signed;
  }
  if (encrypted) {
    // What the envelopes bind must come back with them, or they could not be checked.
    for (const key of metadata.keyAttributes) fetch(key.attribute);
    for (const signed of metadata.signedAttributes) fetch(signed.attribute);
    for (const envelope of envelopeAttributes(metadata)) fetch(envelope);
  }
  return Object.freeze({
    properties: selected,
    attributes: Object.freeze(attributes),
    verified: encrypted,
  });
}

/**
 * The ProjectionExpression, with every attribute name behind a placeholder. `checked` are the key
 * attributes a query compares its response with (its partition and sort key): fetched too, so the
 * check sees them, and trimmed afterwards like the keys fetched to decrypt.
 */
export function renderProjection(
  projection: Projection,
  context: ExpressionContext,
  checked: readonly string[] = [],
): string {
  const attributes = [...projection.attributes];
  for (const attribute of checked) if (!attributes.includes(attribute)) attributes.push(attribute);
  return attributes.map((attribute) => context.name(attribute)).join(', ');
}

/**
 * Removes from loaded instances the properties that were fetched only to decrypt or to check the
 * response (key attributes), so each instance carries exactly the selected properties.
 */
export function trimToProjection(entities: readonly object[], projection: Projection): void {
  for (const entity of entities) {
    const record = entity as Record<string, unknown>;
    for (const property of Object.keys(record)) {
      if (!projection.properties.has(property)) delete record[property];
    }
  }
}
