// credential.ts
import { Attribute, Encrypted, Entity, PartitionKey } from '../../src'; // 'theorydb' in the README

@Entity({ table: 'credentials', name: 'Credential' }) // name: bound into every ciphertext
export class Credential {
  @PartitionKey() id!: string;
  @Attribute() owner!: string;
  @Encrypted() secret!: string; // AES-256-GCM under a data key from your KMS key
}
