import type { ConditionCheck, Delete } from '@aws-sdk/client-dynamodb';
import type { Item } from '../mapping/entity-mapper';
import type { WriteChecks } from '../repository/condition-failure';
import type { RepositoryContext } from '../repository/repository-context';
import type { SaveOptions } from '../repository/save-request';
import type { CheckedUpdate } from '../update/update-operation';

/**
 * One action recorded by a transaction builder, checked but not yet encrypted or sent. Saves are
 * mapped at commit (their instance may still change inside the callback); deletes, updates and
 * checks are checked when they are added, so a bad key or condition throws at the call.
 */
export type PendingAction =
  | {
      readonly kind: 'save';
      readonly context: RepositoryContext<object>;
      readonly entity: object;
      readonly options: SaveOptions<object>;
    }
  | {
      readonly kind: 'delete';
      readonly context: RepositoryContext<object>;
      readonly request: Delete & { Key: Item };
      readonly checks: WriteChecks;
    }
  | {
      readonly kind: 'update';
      readonly context: RepositoryContext<object>;
      readonly checked: CheckedUpdate;
    }
  | {
      readonly kind: 'check';
      readonly context: RepositoryContext<object>;
      readonly request: ConditionCheck & { Key: Item };
      readonly checks: WriteChecks;
    };
