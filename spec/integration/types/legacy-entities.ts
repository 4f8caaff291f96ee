import { Type } from 'class-transformer';
import { Attribute, Encrypted, Entity, PartitionKey } from '../../../src';
import { Status, TYPES_TABLE } from './shared';

// The entities of types.spec.ts with legacy decorators: design:type supplies most types, and only
// what it cannot say (unions, enums, element types) is declared. Their standard-decorator twins,
// with every type declared, are in spec/standard/fixtures/types.ts.

/** A nested class mapped field by field by its theorydb decorators. */
export class Line {
  @Attribute() sku!: string;
  @Attribute({ name: 'q' }) quantity!: number;
  @Attribute() addedAt!: Date;
}

export class Profile {
  @Attribute() nickname!: string;
  @Attribute() born!: Date;
  @Attribute({ dateFormat: 'epochMs' }) seen!: Date;
  @Attribute() photo?: Uint8Array;
  @Attribute({ items: String }) labels?: Set<string>;
  @Attribute() line?: Line;
  @Attribute({ type: String }) motto?: string | null;
}

/** A class that nests itself. */
export class Tree {
  @Attribute() name!: string;
  @Attribute({ items: Tree }) children?: Tree[];
}

/** A nested class without theorydb decorators: mapped through class-transformer. */
export class Stamp {
  label!: string;
  @Type(() => Date) at!: Date;
  count!: number;
}

@Entity({ table: TYPES_TABLE })
export class Everything {
  @PartitionKey() id!: string;
  @Attribute() text?: string;
  // `T | null` has design:type Object under strictNullChecks, so the type is declared.
  @Attribute({ type: Number }) count?: number | null;
  @Attribute() big?: bigint;
  @Attribute() flag?: boolean;
  @Attribute() isoDate?: Date;
  @Attribute({ dateFormat: 'epochMs' }) msDate?: Date;
  @Attribute({ dateFormat: 'epochSeconds' }) secDate?: Date;
  @Attribute() bytes?: Uint8Array;
  @Attribute({ type: Buffer }) buffer?: Buffer;
  @Attribute({ items: String }) tags?: Set<string>;
  @Attribute({ items: Number }) scores?: Set<number>;
  @Attribute({ items: BigInt }) bigs?: Set<bigint>;
  @Attribute({ items: Uint8Array }) blobs?: Set<Uint8Array>;
  @Attribute({ items: Buffer }) buffers?: Set<Buffer>;
  @Attribute({ type: Set }) looseSet?: Set<string | number | bigint>;
  @Attribute({ type: Array, items: String }) names?: (string | null)[];
  @Attribute({ items: Line }) lines?: Line[];
  @Attribute() @Type(() => Stamp) stamps?: Stamp[];
  @Attribute({ type: Object }) meta?: Record<string, unknown>;
  @Attribute() list?: unknown[];
  @Attribute() profile?: Profile;
  @Attribute() stamp?: Stamp;
  @Attribute() tree?: Tree;
  @Attribute({ type: String }) status?: Status;
  @Attribute({ type: String }) nullable?: string | null;
}

/** One @Encrypted field of each type an encrypted field can hold. */
@Entity({ table: TYPES_TABLE, name: 'TypeSecrets' })
export class Secrets {
  @PartitionKey() id!: string;
  @Encrypted() text?: string;
  @Encrypted() count?: number;
  @Encrypted() big?: bigint;
  @Encrypted() flag?: boolean;
  @Encrypted() when?: Date;
  @Encrypted() bytes?: Uint8Array;
  @Encrypted() buffer?: Buffer;
  @Encrypted() @Attribute({ type: Object }) doc?: Record<string, unknown>;
  @Encrypted() list?: unknown[];
  @Encrypted() tags?: Set<string>;
}

/** The classes types.spec.ts runs its assertions against; the standard set has the same shape. */
export interface TypeEntities {
  readonly mode: string;
  readonly Everything: new () => Everything;
  readonly Secrets: new () => Secrets;
  readonly Line: new () => Line;
  readonly Profile: new () => Profile;
  readonly Tree: new () => Tree;
  readonly Stamp: new () => Stamp;
}

export const legacyTypes: TypeEntities = {
  mode: 'legacy',
  Everything,
  Secrets,
  Line,
  Profile,
  Tree,
  Stamp,
};
