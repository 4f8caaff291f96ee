import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { allOf, ExpressionContext } from '../expressions/expression-context';
import { ValidationError } from '../errors';
import type { DynamoFailureContext } from './dynamo-error-converter';
import type { RepositoryContext } from './repository-context';
import { runOperation } from './run-operation';

/** Options of `Repository.save`. */
export interface SaveOptions {
  /** Write only if no item with this key exists; otherwise fail with `CONDITION_FAILED`. */
  ifNotExists?: boolean;
}

/**
 * Saves an entity with PutItem: lifecycle values are computed aside, the item is mapped and its
 * encrypted fields sealed, the version condition added, and only after DynamoDB accepted the
 * write are the new version and timestamps copied onto the instance. A failed save leaves the
 * instance as it was.
 */
export async function saveEntity<T extends object>(
  context: RepositoryContext<T>,
  entity: T,
  options: SaveOptions = {},
): Promise<T> {
  const { metadata, mapper, encryption } = context;
  if (!(entity instanceof metadata.target)) {
    throw new ValidationError(
      `${metadata.className}.save expects an instance of ${metadata.className}`,
      metadata.className,
    );
  }
  const source = entity as Record<string, unknown>;
  const overrides = lifecycleValues(context, source);
  const expressions = new ExpressionContext();
  const clauses: string[] = [];
  let failure: DynamoFailureContext['condition'] = undefined;
  const pkAbsent = () => `attribute_not_exists(${expressions.name(metadata.partitionKey.attribute)})`;
  if (options.ifNotExists === true) {
    clauses.push(pkAbsent());
    failure = { kind: 'condition' };
  }
  if (metadata.version !== undefined) {
    const current = versionOf(context, source[metadata.version.property]);
    clauses.push(
      current === undefined
        ? pkAbsent()
        : `${expressions.name(metadata.version.attribute)} = ${expressions.value({ N: String(current) })}`,
    );
    failure ??= { kind: 'version', expected: current };
  }

  return runOperation(context, 'save', async (scope) => {
    const item = mapper.toItem(entity, overrides);
    // Lifecycle attributes are never encrypted, so the overrides do not concern encryption.
    await encryption.encryptInto(item, source, scope);
    const condition = allOf([...new Set(clauses)]);
    await context.client.send(
      new PutItemCommand({
        TableName: metadata.table,
        Item: item,
        ...(condition === undefined ? {} : { ConditionExpression: condition, ...expressions.attributes() }),
      }),
    );
    for (const [property, value] of overrides) source[property] = value;
    return entity;
  }, { condition: failure });
}

/** The version, createdAt and updatedAt this save writes, keyed by property. */
function lifecycleValues<T extends object>(
  context: RepositoryContext<T>,
  source: Record<string, unknown>,
): Map<string, unknown> {
  const { metadata } = context;
  const values = new Map<string, unknown>();
  if (metadata.version !== undefined) {
    const current = versionOf(context, source[metadata.version.property]);
    values.set(metadata.version.property, (current ?? 0) + 1);
  }
  if (metadata.createdAt === undefined && metadata.updatedAt === undefined) return values;
  const now = context.now();
  if (metadata.createdAt !== undefined && source[metadata.createdAt.property] == null) {
    values.set(metadata.createdAt.property, timestampAs(metadata.createdAt.codec.kind, now));
  }
  if (metadata.updatedAt !== undefined) {
    values.set(metadata.updatedAt.property, timestampAs(metadata.updatedAt.codec.kind, now));
  }
  return values;
}

function versionOf<T extends object>(context: RepositoryContext<T>, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    const { className } = context.metadata;
    const property = context.metadata.version?.property ?? 'version';
    throw new ValidationError(
      `${className}.${property} must be unset (a new entity) or a positive integer (a loaded one)`,
      className,
      property,
    );
  }
  return value;
}

function timestampAs(kind: string, now: Date): Date | number | string {
  if (kind === 'number') return now.getTime();
  if (kind === 'string') return now.toISOString();
  return now;
}
