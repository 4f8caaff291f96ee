import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { Entity, PartitionKey, TheoryDb, ValidationError } from '../../src';
import {
  SENTINELS,
  capturedLogCalls,
  findSentinel,
  recordedErrorCount,
  registerSentinel,
  sentinelForms,
} from '../support/leak-guard';
import { sharedDynamo, uniqueTable } from '../support/stack';

// The leak guard's own checks: it recognises every form of a sentinel, it sees errors and library
// log records without the specs' help, and a suite that leaks fails.

@Entity({ table: uniqueTable('rel-guard-missing'), name: 'NeverCreated' })
class NeverCreated {
  @PartitionKey() id!: string;
}

describe('reliability: the leak guard', () => {
  const secret = SENTINELS.token;

  it('finds a sentinel in clear, hex, base64 at every alignment and as Buffer output', () => {
    const bytes = Buffer.from(secret);
    const carriers = [
      `before ${secret} after`,
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      Buffer.concat([Buffer.from('a'), bytes, Buffer.from('z')]).toString('base64'),
      Buffer.concat([Buffer.from('ab'), bytes]).toString('base64'),
      Buffer.concat([Buffer.from('abc'), bytes, Buffer.from('!')]).toString('base64'),
      inspect(bytes),
      inspect(new Uint8Array(bytes)),
      JSON.stringify(bytes),
      JSON.stringify({ nested: secret }),
    ];
    for (const carrier of carriers) {
      expect(findSentinel(carrier), carrier.length.toString()).to.match(/^sentinel #\d+/);
    }
    expect(findSentinel('nothing to see here: rel-sentinel-TOKEN')).to.equal(undefined);
    expect(findSentinel(JSON.stringify({ note: SENTINELS.note }))).to.match(/^sentinel/);
    expect(sentinelForms(secret).length).to.be.at.least(6);
  });

  it('refuses sentinels too short or without a letter to be recognised safely', () => {
    expect(() => registerSentinel('short')).to.throw(RangeError);
    expect(() => registerSentinel('1234567890123456')).to.throw(RangeError);
  });

  it('records every TheoryDbError without the spec handing it over', () => {
    const before = recordedErrorCount();
    try {
      throw new ValidationError('a mistake, named but with no value');
    } catch {
      // Swallowed on purpose.
    }
    expect(recordedErrorCount()).to.equal(before + 1);
  });

  it('captures the library logger of a TheoryDb built without one', async () => {
    const db = new TheoryDb({ dynamodb: (await sharedDynamo()).client });
    const before = capturedLogCalls();
    await db
      .repository(NeverCreated)
      .find({ id: 'x' })
      .catch(() => undefined);
    expect(capturedLogCalls()).to.equal(before + 1);
  });

  it('fails a run that leaks, naming each leak but never the secret', function () {
    this.timeout(120_000);
    const root = resolve(__dirname, '..', '..');
    const env = { ...process.env };
    delete env.THEORYDB_RELIABILITY_REPORT;
    const child = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'),
        '--config',
        join(root, '.mocharc.json'),
        join(__dirname, 'fixtures', 'leaky-suite.ts'),
      ],
      { cwd: root, env, encoding: 'utf8', timeout: 110_000 },
    );
    const output = `${child.stdout}\n${child.stderr}`;
    expect(child.status, 'exit status of the leaky run').to.not.equal(0);
    expect(output).to.contain('leak guard: 4 leak(s)');
    expect(output).to.contain('stdout/stderr output holds sentinel');
    expect(output).to.contain('an error (ValidationError) holds sentinel');
    expect(output).to.contain('a library log record holds sentinel');
    expect(output).to.contain('a test title in');
    expect(output).to.contain('tests: 4 passed, 1 failed');
  });
});
