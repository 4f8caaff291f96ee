import { Attribute, CreatedAt, Encrypted, Entity, PartitionKey, PrimaryKey, Version } from '../src';

/** A stored credential: who owns it, and the secret itself, encrypted with KMS. */
@Entity({ table: 'demo-credentials', name: 'Credential' })
export class Credential {
  declare [PrimaryKey]?: 'id';

  @PartitionKey() id!: string;
  @Attribute() owner!: string;
  @Attribute() service!: string;
  @Encrypted() secret!: string;
  @Encrypted() recoveryCodes?: string[];
  @Version() version?: number;
  @CreatedAt() createdAt?: Date;
}
