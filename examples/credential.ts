import {
  Attribute,
  CreatedAt,
  Encrypted,
  Entity,
  PartitionKey,
  PrimaryKey,
  Signed,
  Version,
} from '../src';

/**
 * A stored credential: who owns it, and the secret itself, encrypted with KMS. The secret and the
 * recovery codes are sealed in the item's one envelope; `owner` stays in clear (it can be
 * filtered on) but is authenticated with the item, so an edit made outside theorydb fails reads.
 */
@Entity({ table: 'demo-credentials', name: 'Credential' })
export class Credential {
  declare [PrimaryKey]?: 'id';

  @PartitionKey() id!: string;
  @Signed() @Attribute() owner!: string;
  @Attribute() service!: string;
  @Encrypted() secret!: string;
  @Encrypted() recoveryCodes?: string[];
  @Version() version?: number;
  @CreatedAt() createdAt?: Date;
}
