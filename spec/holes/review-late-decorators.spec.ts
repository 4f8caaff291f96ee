import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import {
  Attribute,
  Encrypted,
  Entity,
  EntityDefinitionError,
  PartitionKey,
  TheoryDb,
  entityMetadata,
} from '../../src';
import type { LocalDynamo } from '../../src/testing';
import { recordCommands, type DynamoRecorder } from '../support/dynamo-recorder';
import { expectNoPlaintext } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Review of issue 10 (late decorators): metadata is resolved and cached at a class's first use.
// A decorator applied afterwards (by hand, as plain JavaScript and plugins do) was recorded and
// silently ignored: `Encrypted()(Cls.prototype, 'note')` made `note` print as [REDACTED], yet it
// was still written in clear. A declaration that cannot take effect any more is refused instead.

const SECRET = 'review-late-decorator-secret-0808';
const TABLE = uniqueTable('review-late');

@Entity({ table: TABLE, name: 'LateNote' })
class LateNote {
  @PartitionKey() id!: string;
  @Attribute() note?: string;
}

// The base is never used itself; its subclass is, and then the base is decorated.
class LateBase {
  @Attribute() note?: string;
}

@Entity({ table: TABLE, name: 'LateChild' })
class LateChild extends LateBase {
  @PartitionKey() id!: string;
}

function thrownBy(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectLateRefusal(error: unknown, className: string): void {
  expect(error).to.be.instanceOf(EntityDefinitionError);
  expect((error as EntityDefinitionError).code).to.equal('ENTITY_DEFINITION');
  expect((error as EntityDefinitionError).entity).to.equal(className);
  expect((error as Error).message).to.contain('after its first use');
}

describe('review: decorators applied after a class was first used', function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let db: TheoryDb;
  let recorder: DynamoRecorder;

  before(async () => {
    dynamo = await sharedDynamo();
    const kms = await sharedKms();
    const keyId = await kms.createKey();
    const client = dynamo.newClient();
    recorder = recordCommands(client);
    db = new TheoryDb({ dynamodb: client, kms: { client: kms.client(), keyId } });
    await db.createTable(LateNote);
  });

  after(() => recorder.client.destroy());

  async function storedNote(id: string): Promise<unknown> {
    const out = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    return out.Item?.note;
  }

  /**
   * Applies a late `@Encrypted`, then saves SECRET in that property: if the class now says the
   * property is encrypted (its printed forms redact it), the write must not carry it in clear.
   * Then the decorator itself must have been refused, leaving the property plain as first used.
   */
  async function lateEncrypted<T extends object>(
    entity: new () => T,
    decorated: object,
    className: string,
    id: string,
  ): Promise<void> {
    await db.repository(entity).save(Object.assign(new entity(), { id: `${id}-first`, note: 'x' }));
    const error = thrownBy(() => Encrypted()(decorated, 'note'));
    const instance = Object.assign(new entity(), { id, note: SECRET });
    const declaredEncrypted = JSON.stringify(instance).includes('[REDACTED]');
    recorder.clear();
    await db
      .repository(entity)
      .save(instance)
      .catch(() => undefined);
    if (declaredEncrypted) {
      expectNoPlaintext(recorder.bodies(), SECRET, 'the PutItem body');
      expect(await storedNote(id)).to.not.have.property('S');
    }
    expectLateRefusal(error, className);
    expect(declaredEncrypted).to.equal(false);
    expect(entityMetadata(entity).encryptedAttributes.map((a) => a.property)).to.deep.equal([]);
  }

  it('@Encrypted on a property of a class already used is refused, nothing stored in clear', () =>
    lateEncrypted(LateNote, LateNote.prototype, 'LateNote', 'n1'));

  it('@Encrypted on a base class after its subclass was used is refused, nothing stored in clear', () =>
    lateEncrypted(LateChild, LateBase.prototype, 'LateBase', 'c1'));

  it('@Entity and @Attribute applied again after first use are refused too', () => {
    expectLateRefusal(
      thrownBy(() => Entity({ table: 'elsewhere', name: 'Elsewhere' })(LateNote)),
      'LateNote',
    );
    expectLateRefusal(
      thrownBy(() => Attribute({ name: 'renamed' })(LateNote.prototype, 'note')),
      'LateNote',
    );
    expect(entityMetadata(LateNote).table).to.equal(TABLE);
  });

  it('a class not used yet still takes decorators by hand', () => {
    class Fresh {
      id!: string;
      secret?: string;
    }
    PartitionKey({ type: String })(Fresh.prototype, 'id');
    Attribute({ type: String })(Fresh.prototype, 'secret');
    Encrypted()(Fresh.prototype, 'secret');
    Entity({ table: TABLE, name: 'Fresh' })(Fresh);
    expect(entityMetadata(Fresh).encryptedAttributes.map((a) => a.property)).to.deep.equal([
      'secret',
    ]);
  });
});
