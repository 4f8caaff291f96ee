import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as AwsLibDynamodb from '@aws-sdk/lib-dynamodb';
import type * as TypedormCommon from '@typedorm/common';
import type * as TypedormCore from '@typedorm/core';
import type * as TypedormDocumentClient from '@typedorm/document-client';
import type * as ToolboxEntity from 'dynamodb-toolbox/entity';
import type * as ToolboxGet from 'dynamodb-toolbox/entity/actions/get';
import type * as ToolboxPut from 'dynamodb-toolbox/entity/actions/put';
import type * as ToolboxBoolean from 'dynamodb-toolbox/schema/boolean';
import type * as ToolboxItem from 'dynamodb-toolbox/schema/item';
import type * as ToolboxNumber from 'dynamodb-toolbox/schema/number';
import type * as ToolboxString from 'dynamodb-toolbox/schema/string';
import type * as ToolboxTable from 'dynamodb-toolbox/table';
import type * as ToolboxQuery from 'dynamodb-toolbox/table/actions/query';
import type * as Dynamoose from 'dynamoose';
import type * as ElectroDb from 'electrodb';
import { librariesDir } from '../support/libraries';

// How bench/peers reaches the peer libraries installed in bench/libraries/node_modules.
//
// Node and tsc resolve a bare specifier ('dynamoose') by walking up from the importing file, and
// bench/libraries/node_modules is on no such path from bench/peers/*.ts (ts-node) nor from their
// compiled copies in node_modules/.cache/theorydb-bench/ (npm run bench). So the peers import
// nothing from the libraries themselves; they take them from here:
// - types: this file sits inside bench/libraries, so its type-only imports above resolve from
//   bench/libraries/node_modules the ordinary way (package.json `exports` included), with no
//   `paths` mapping that would have to mirror each package's layout;
// - values: a require created for bench/libraries/package.json in the source tree resolves exactly
//   as code in that folder would, wherever the running (compiled or ts-node) copy of this file is.
// What the libraries share with theorydb and the raw SDK peer (@aws-sdk/client-dynamodb) is pinned
// in bench/libraries/package.json to the version the project's lock has, so every peer runs the
// same SDK code.

/** The peer libraries' modules, by the names the peers use. */
export interface Libraries {
  readonly libDynamodb: typeof AwsLibDynamodb;
  readonly typedormCommon: typeof TypedormCommon;
  readonly typedormCore: typeof TypedormCore;
  readonly typedormDocumentClient: typeof TypedormDocumentClient;
  readonly toolbox: {
    readonly entity: typeof ToolboxEntity;
    readonly get: typeof ToolboxGet;
    readonly put: typeof ToolboxPut;
    readonly boolean: typeof ToolboxBoolean;
    readonly item: typeof ToolboxItem;
    readonly number: typeof ToolboxNumber;
    readonly string: typeof ToolboxString;
    readonly table: typeof ToolboxTable;
    readonly query: typeof ToolboxQuery;
  };
  readonly dynamoose: typeof Dynamoose;
  readonly electrodb: typeof ElectroDb;
}

let loaded: Libraries | undefined;

/** Loads the peer libraries from bench/libraries/node_modules (once). */
export function libraries(): Libraries {
  if (loaded !== undefined) return loaded;
  const load = createRequire(join(librariesDir(), 'package.json'));
  loaded = {
    libDynamodb: load('@aws-sdk/lib-dynamodb') as typeof AwsLibDynamodb,
    typedormCommon: load('@typedorm/common') as typeof TypedormCommon,
    typedormCore: load('@typedorm/core') as typeof TypedormCore,
    typedormDocumentClient: load('@typedorm/document-client') as typeof TypedormDocumentClient,
    toolbox: {
      entity: load('dynamodb-toolbox/entity') as typeof ToolboxEntity,
      get: load('dynamodb-toolbox/entity/actions/get') as typeof ToolboxGet,
      put: load('dynamodb-toolbox/entity/actions/put') as typeof ToolboxPut,
      boolean: load('dynamodb-toolbox/schema/boolean') as typeof ToolboxBoolean,
      item: load('dynamodb-toolbox/schema/item') as typeof ToolboxItem,
      number: load('dynamodb-toolbox/schema/number') as typeof ToolboxNumber,
      string: load('dynamodb-toolbox/schema/string') as typeof ToolboxString,
      table: load('dynamodb-toolbox/table') as typeof ToolboxTable,
      query: load('dynamodb-toolbox/table/actions/query') as typeof ToolboxQuery,
    },
    dynamoose: load('dynamoose') as typeof Dynamoose,
    electrodb: load('electrodb') as typeof ElectroDb,
  };
  return loaded;
}
