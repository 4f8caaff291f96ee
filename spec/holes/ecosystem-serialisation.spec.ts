import { expect } from 'chai';
import { classToPlain, instanceToInstance, instanceToPlain } from 'class-transformer';
import { inspect } from 'node:util';
import { Attribute, Encrypted, Entity, PartitionKey, REDACTED, plainWithSecrets } from '../../src';
import { expectNoPlaintext } from '../support/leak-check';
import { uniqueTable } from '../support/stack';
import { holeStack, type HoleStack } from './support/hole-stack';

// Hole 9 of issue 10: class-transformer's instanceToPlain, which NestJS's ClassSerializerInterceptor
// runs on every HTTP response, copied decrypted secrets out of entities. Encrypted properties now
// come out of it as REDACTED; plainWithSecrets stays the one explicit way to get them.

const SECRET = 'nest-response-secret-0909';
const CODES = ['recovery-AAAA-0909', 'recovery-BBBB-0909'];
const TABLE = uniqueTable('hole-serialise');

@Entity({ table: TABLE, name: 'SerialisedCredential' })
class SerialisedCredential {
  @PartitionKey() id!: string;
  @Attribute() owner?: string;
  @Encrypted() secret?: string;
  @Encrypted() codes?: string[];
}

@Entity({ table: TABLE, name: 'SerialisedChild' })
class SerialisedChild extends SerialisedCredential {
  @Attribute({ name: 'plain_secret' }) override secret?: string;
}

const SECRETS = [SECRET, ...CODES];

function expectNoSecrets(text: string, where: string): void {
  for (const secret of SECRETS) expectNoPlaintext(text, secret, where);
}

describe('hole 9: serialisation by the ecosystem', () => {
  let stack: HoleStack;
  let loaded: SerialisedCredential;

  before(async () => {
    stack = await holeStack(SerialisedCredential);
    const repo = stack.db.repository(SerialisedCredential);
    await repo.save(
      Object.assign(new SerialisedCredential(), {
        id: 's1',
        owner: 'ada',
        secret: SECRET,
        codes: CODES,
      }),
    );
    loaded = await repo.get({ id: 's1' });
  });

  it('instanceToPlain (and its old name classToPlain) gives REDACTED for encrypted properties', () => {
    for (const plain of [instanceToPlain(loaded), classToPlain(loaded)]) {
      expect(plain).to.deep.equal({ id: 's1', owner: 'ada', secret: REDACTED, codes: REDACTED });
      expectNoSecrets(JSON.stringify(plain), 'instanceToPlain');
    }
  });

  it('entities nested in a response object, an array or under serialiser options are redacted', () => {
    const response = { data: [loaded], meta: { first: loaded } };
    for (const options of [
      {},
      { groups: ['admin'] },
      { exposeUnsetFields: false },
      { version: 2 },
    ]) {
      const plain = instanceToPlain(response, options);
      expectNoSecrets(JSON.stringify(plain), `instanceToPlain ${JSON.stringify(options)}`);
      expect((plain as { data: { secret: string }[] }).data[0].secret).to.equal(REDACTED);
    }
  });

  it('a subclass that renames an inherited encrypted property is redacted too', () => {
    const child = Object.assign(new SerialisedChild(), { id: 'c1', secret: SECRET });
    expect(instanceToPlain(child)).to.deep.equal({ id: 'c1', secret: REDACTED });
  });

  it('unset encrypted properties stay unset rather than printing REDACTED', () => {
    const empty = Object.assign(new SerialisedCredential(), { id: 'e1' });
    expect(instanceToPlain(empty)).to.deep.equal({ id: 'e1' });
  });

  it('instanceToInstance keeps an entity (still redacted when printed); plainWithSecrets is explicit', () => {
    const copy = instanceToInstance(loaded);
    expect(copy).to.be.instanceOf(SerialisedCredential);
    expectNoSecrets(inspect(copy, { depth: Infinity }), 'inspect of the copy');
    expect(plainWithSecrets(loaded)).to.deep.include({ secret: SECRET, codes: CODES });
  });

  it('String() prints [object Object], as the README now says, and never a value', () => {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- String() is the form under test
    expect(String(loaded)).to.equal('[object Object]');
  });
});
