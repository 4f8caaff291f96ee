// What the TypeScript blocks of README.md take as given: the entities and variables the prose
// talks about (`db`, `users`, an `Order`, ...). readme-snippets.spec.ts type-checks each block
// with an import of every name exported here that the block does not declare itself. Library
// values are deliberately not exported (a block that uses `TheoryDb` must import it); the only
// library name here is the `StreamImage` type, which the stream handler block uses unimported.
import {
  Attribute,
  CreatedAt,
  Encrypted,
  Entity,
  Index,
  PartitionKey,
  PrimaryKey,
  SortKey,
  UpdatedAt,
  Version,
  type Constructor,
  type EntityKey,
  type Repository,
  type TheoryDb,
} from '../../src';

/** The class of the README's complete example, which the blocks after it reuse. */
@Entity({ table: 'app-credentials', name: 'Credential' })
export class Credential {
  declare [PrimaryKey]?: 'userId' | 'service';

  @PartitionKey() userId!: string;
  @SortKey() service!: string;
  @Index('byOwnerEmail', { partition: true }) @Attribute() ownerEmail!: string;
  @Encrypted() apiToken!: string;
  @Encrypted({ key: 'recovery' }) recoveryCodes?: string[];
  @Version() version?: number;
  @CreatedAt() createdAt?: Date;
  @UpdatedAt() updatedAt?: Date;
}

/** The `users` of the query, update and stream blocks. */
@Entity({ table: 'users', name: 'User' })
export class User {
  declare [PrimaryKey]?: 'id';

  @PartitionKey() id!: string;
  @Index('byEmail', { partition: true }) @Attribute() email!: string;
  @Attribute() status!: string;
  @Attribute() nickname?: string;
  @Attribute() logins!: number;
  @Attribute({ type: Array, items: String }) history!: string[];
  @Encrypted() apiToken!: string;
  // The update block passes `expectedVersion`, which needs a @Version property.
  @Version() version?: number;
}

/** The `orders` of the query, batch and transaction blocks: a customer's orders, sorted by date. */
@Entity({ table: 'orders' })
export class Order {
  declare [PrimaryKey]?: 'customerId' | 'placedAt';

  @PartitionKey() customerId!: string;
  @SortKey() placedAt!: string; // '2026-03-14T09:26:53Z#o-1'
  @Attribute() status!: string;
  @Attribute() total!: number;
}

@Entity({ table: 'accounts' })
export class Account {
  declare [PrimaryKey]?: 'id';

  @PartitionKey() id!: string;
  @Attribute() balance!: number;
}

@Entity({ table: 'carts' })
export class Cart {
  declare [PrimaryKey]?: 'id';

  @PartitionKey() id!: string;
}

@Entity({ table: 'customers' })
export class Customer {
  declare [PrimaryKey]?: 'id';

  @PartitionKey() id!: string;
  @Attribute() status!: string;
}

export declare const db: TheoryDb;
export declare const users: Repository<User>;
export declare const orders: Repository<Order>;
/** `entity` and `key` of the repository block, which uses the complete example's class. */
export declare const entity: Credential;
export declare const key: EntityKey<Credential>;
export declare const order: Order;
/** The batch block writes orders: a batch write refuses `@Version` entities such as `User`. */
export declare const manyOrders: Order[];
export declare const manyOrderKeys: EntityKey<Order>[];
/** The application's own work on a loaded entity. */
export declare function handle(entity: object): void | Promise<void>;

export type { StreamImage } from '../../src';

/**
 * A stand-in for `DynamoDBStreamEvent` of @types/aws-lambda (not a dependency here), reduced to
 * what a handler reads: Lambda delivers images in DynamoDB's JSON form, binaries as base64.
 */
export interface DynamoDBStreamEvent {
  Records: {
    eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
    dynamodb?: { Keys?: LambdaImage; NewImage?: LambdaImage; OldImage?: LambdaImage };
  }[];
}
type LambdaImage = Record<string, LambdaAttributeValue>;
interface LambdaAttributeValue {
  S?: string;
  N?: string;
  B?: string;
  SS?: string[];
  NS?: string[];
  BS?: string[];
  M?: LambdaImage;
  L?: LambdaAttributeValue[];
  NULL?: boolean;
  BOOL?: boolean;
}

/** Every entity above, for the spec to validate as theorydb definitions. */
export const PRELUDE_ENTITIES: readonly Constructor<object>[] = [
  Credential,
  User,
  Order,
  Account,
  Cart,
  Customer,
];
