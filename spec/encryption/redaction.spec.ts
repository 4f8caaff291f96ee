import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { format, inspect } from 'node:util';
import {
  Attribute,
  Encrypted,
  Entity,
  PartitionKey,
  REDACTED,
  TheoryDb,
  plainWithSecrets,
  type Repository,
  type TheoryDbLogger,
} from '../../src';
import type { LocalDynamo, LocalKms } from '../../src/testing';
import { expectNoPlaintext, plaintextForms, rejectionOf } from '../support/leak-check';
import { sharedDynamo, sharedKms, uniqueTable } from '../support/stack';

// Encrypted properties never print: inspect, console, JSON and string forms show [REDACTED]
// (or nothing) while the property itself keeps the plaintext for the application.

const SECRET = 'redaction-secret-7Qm2-PLAINTEXT';
const CODE_1 = 'recovery-code-AAAA-1111';
const CODE_2 = 'recovery-code-BBBB-2222';
const SECRETS = [SECRET, CODE_1, CODE_2];

@Entity({ table: uniqueTable('enc-redact'), name: 'Credential' })
class Credential {
  @PartitionKey() id!: string;
  @Attribute() owner?: string;
  @Encrypted() secret?: string;
  @Encrypted() codes?: string[];
}

@Entity({ table: uniqueTable('enc-redact-own'), name: 'OwnJson' })
class OwnJson {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;

  toJSON(): Record<string, unknown> {
    return { id: this.id, kind: 'own-json' };
  }
}

/** Declared but never handed to TheoryDb or entityMetadata before it is printed. */
@Entity({ table: uniqueTable('enc-redact-unused'), name: 'NeverUsed' })
class NeverUsed {
  @PartitionKey() id!: string;
  @Encrypted() secret?: string;
}

class SubCredential extends Credential {
  extra = 'sub';
}

function expectFree(text: string, where: string): void {
  for (const secret of SECRETS) expectNoPlaintext(text, secret, where);
}

/** Everything `run` writes to stdout and stderr while it runs (synchronously). */
function captureOutput(run: () => void): string {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  };
  process.stdout.write = grab;
  process.stderr.write = grab;
  try {
    run();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return chunks.join('');
}

/** Every printed form of `value` we can think of, by name. */
function printedForms(value: object): Record<string, string> {
  return {
    inspect: inspect(value),
    inspectDeep: inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    inspectColors: inspect(value, { colors: true }),
    inspectNested: inspect({ wrapper: { list: [value] } }, { depth: 10 }),
    json: JSON.stringify(value),
    jsonNested: JSON.stringify({ wrapper: [value] }),
    jsonPretty: JSON.stringify(value, null, 2),
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- String() is a form under test
    string: String(value),
    template: `${value as unknown as string}`,
    concat: '' + (value as unknown as string),
    format: format('%s | %o | %O | %j | %d', value, value, value, value, value),
    consoleLog: captureOutput(() => console.log(value)),
    consoleLogFormat: captureOutput(() => console.log('entity: %o', value)),
    consoleError: captureOutput(() => console.error({ entity: value })),
  };
}

describe('Redaction of encrypted properties', function () {
  this.timeout(30_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  let repo: Repository<Credential>;

  const credential = (id: string) =>
    Object.assign(new Credential(), {
      id,
      owner: 'alice',
      secret: SECRET,
      codes: [CODE_1, CODE_2],
    });

  before(async () => {
    dynamo = await sharedDynamo();
    kms = await sharedKms();
    const keyArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-redact')}` });
    const db = new TheoryDb({
      dynamodb: dynamo.client,
      kms: { client: kms.client(), keyId: keyArn },
    });
    await db.createTable(Credential);
    repo = db.repository(Credential);
    await repo.save(credential('loaded'));
  });

  for (const source of ['a new instance', 'a loaded instance'] as const) {
    it(`${source}: every printed form hides the secret, the property keeps it`, async () => {
      const entity =
        source === 'a new instance' ? credential('fresh') : await repo.get({ id: 'loaded' });
      for (const [where, text] of Object.entries(printedForms(entity))) {
        expectFree(text, where);
      }
      const forms = printedForms(entity);
      expect(forms.inspect).to.contain(REDACTED);
      expect(forms.inspect).to.contain('alice');
      expect(forms.inspect).to.match(/^Credential \{/);
      expect(forms.consoleLog).to.contain(REDACTED);
      expect(JSON.parse(forms.json)).to.deep.equal({
        id: entity.id,
        owner: 'alice',
        secret: REDACTED,
        codes: REDACTED,
      });
      expect(entity.secret).to.equal(SECRET);
      expect(entity.codes).to.deep.equal([CODE_1, CODE_2]);
    });
  }

  it('an unset encrypted property prints as absent, not as a value', () => {
    const entity = Object.assign(new Credential(), { id: 'no-secret', owner: 'bob' });
    expect(JSON.parse(JSON.stringify(entity))).to.deep.equal({ id: 'no-secret', owner: 'bob' });
    expect(inspect(entity)).not.to.contain('secret:');
  });

  it('plainWithSecrets returns the values (the explicit way out)', async () => {
    const entity = await repo.get({ id: 'loaded' });
    expect(plainWithSecrets(entity)).to.deep.equal({
      id: 'loaded',
      owner: 'alice',
      secret: SECRET,
      codes: [CODE_1, CODE_2],
    });
  });

  it('a class with its own toJSON keeps it; inspect is still redacted', () => {
    const db = new TheoryDb({ dynamodb: dynamo.client });
    db.repository(OwnJson); // discovery, where redaction is installed
    const entity = Object.assign(new OwnJson(), { id: 'own', secret: SECRET });
    expect(JSON.parse(JSON.stringify(entity))).to.deep.equal({ id: 'own', kind: 'own-json' });
    expectFree(inspect(entity), 'inspect');
    expect(inspect(entity)).to.contain(REDACTED);
  });

  it('a subclass of an entity inherits the redaction', () => {
    const entity = Object.assign(new SubCredential(), {
      id: 'sub',
      secret: SECRET,
      codes: [CODE_1],
    });
    for (const [where, text] of Object.entries(printedForms(entity))) expectFree(text, where);
    expect(inspect(entity)).to.contain(REDACTED);
    expect(entity.extra).to.equal('sub');
  });

  it('an entity printed before its class was first used by TheoryDb is redacted too', () => {
    // Redaction must not depend on discovery having run: an application may log an entity it
    // just built, before the first repository call of that class.
    const entity = Object.assign(new NeverUsed(), { id: 'early', secret: SECRET });
    expectFree(inspect(entity), 'inspect');
    expectFree(JSON.stringify(entity), 'JSON');
    expectFree(
      captureOutput(() => console.log(entity)),
      'console.log',
    );
  });

  // Known limitation, not asserted: console.dir(entity), console.table([entity]) and
  // inspect(entity, { customInspect: false }) bypass util.inspect.custom by Node's design and
  // print the plaintext property. Only keeping the value out of the instance's own enumerable
  // properties would close it.
  it('KNOWN LIMITATION: console.dir / console.table / customInspect:false print encrypted values');

  describe('the logger', () => {
    interface Call {
      level: 'debug' | 'warn';
      details: Record<string, unknown>;
      message?: string;
    }

    let calls: Call[];
    let logged: Repository<Credential>;
    let table: string;

    before(async () => {
      calls = [];
      const logger: TheoryDbLogger = {
        debug: (details, message) => calls.push({ level: 'debug', details, message }),
        warn: (details, message) => calls.push({ level: 'warn', details, message }),
      };
      const keyArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-redact-log')}` });
      logged = new TheoryDb({
        dynamodb: dynamo.client,
        kms: { client: kms.client({ maxAttempts: 1 }), keyId: keyArn },
        logger,
      }).repository(Credential);
      table = logged.metadata.table;
    });

    afterEach(() => kms.clearFaults());

    function expectRecord(call: Call, operation: string, code?: string): void {
      expect(call.details.operation).to.equal(operation);
      expect(call.details.table).to.equal(table);
      expect(call.details.entity).to.equal('Credential');
      expect(call.details.durationMs).to.be.a('number').and.to.be.at.least(0);
      expect(call.details.code).to.equal(code);
      expect(call.level).to.equal(code === undefined ? 'debug' : 'warn');
    }

    it('gets operation, table, entity and durationMs for successful operations, never values', async () => {
      calls.length = 0;
      await logged.save(credential('log-ok'));
      const found = await logged.get({ id: 'log-ok' });
      expect(found.secret).to.equal(SECRET);
      await logged.delete({ id: 'log-ok' });
      expect(calls.map((c) => c.details.operation)).to.deep.equal(['save', 'find', 'delete']);
      calls.forEach((call, i) => expectRecord(call, ['save', 'find', 'delete'][i]));
      const text = inspect(calls, { depth: 20 }) + JSON.stringify(calls);
      expectFree(text, 'logger calls');
      expect(text).not.to.contain('log-ok'); // not even the item key
    });

    it('gets the error code for failed operations, never values', async () => {
      calls.length = 0;
      // 1. KMS refuses the data key on save.
      kms.failNext(1, 'AccessDeniedException', { operation: 'GenerateDataKey' });
      await rejectionOf(logged.save(credential('log-fail')));
      // 2. A wrong value type on save.
      const wrong = Object.assign(credential('log-fail'), { secret: 12345 as unknown as string });
      await rejectionOf(logged.save(wrong));
      // 3. A tampered value on find.
      await logged.save(credential('log-tamper'));
      const out = await dynamo.client.send(
        new GetItemCommand({ TableName: table, Key: { id: { S: 'log-tamper' } } }),
      );
      // v2: the item's encrypted values are sealed in its one envelope, `__td`.
      const bytes = Buffer.from(out.Item!.__td.B!);
      bytes[bytes.length - 1] ^= 1;
      await dynamo.client.send(
        new PutItemCommand({ TableName: table, Item: { ...out.Item!, __td: { B: bytes } } }),
      );
      await rejectionOf(logged.find({ id: 'log-tamper' }));
      // 4. Plaintext injected into the encrypted field.
      await dynamo.client.send(
        new PutItemCommand({
          TableName: table,
          Item: { ...out.Item!, secret: { S: SECRET } },
        }),
      );
      await rejectionOf(logged.find({ id: 'log-tamper' }));

      const failures = calls.filter((c) => c.level === 'warn');
      expect(failures.map((c) => c.details.code)).to.deep.equal([
        'KMS_ACCESS_DENIED',
        'VALIDATION',
        'INTEGRITY',
        'PLAINTEXT_IN_ENCRYPTED_FIELD',
      ]);
      expectRecord(failures[0], 'save', 'KMS_ACCESS_DENIED');
      expectRecord(failures[1], 'save', 'VALIDATION');
      expectRecord(failures[2], 'find', 'INTEGRITY');
      expectRecord(failures[3], 'find', 'PLAINTEXT_IN_ENCRYPTED_FIELD');
      const text = inspect(calls, { depth: 20 }) + JSON.stringify(calls);
      expectFree(text, 'logger calls');
      for (const form of plaintextForms('12345')) {
        if (form.length >= 8) expect(text).not.to.contain(form);
      }
    });

    it('a throwing logger does not fail the operation', async () => {
      const keyArn = await kms.createKey({ alias: `alias/${uniqueTable('enc-redact-bad-log')}` });
      const noisy = new TheoryDb({
        dynamodb: dynamo.client,
        kms: { client: kms.client(), keyId: keyArn },
        logger: {
          debug: () => {
            throw new Error('logger down');
          },
        },
      }).repository(Credential);
      await noisy.save(credential('noisy'));
      expect((await noisy.get({ id: 'noisy' })).secret).to.equal(SECRET);
    });
  });
});
