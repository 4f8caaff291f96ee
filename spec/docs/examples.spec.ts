// The examples run end to end as a user runs them: `npm start` is `ts-node examples/demo.ts`,
// which starts its own DynamoDB Local and LocalKms. examples/credential.ts is the entity module
// demo.ts imports (it does nothing on its own); ts-node type-checks it as part of the run.
import * as path from 'node:path';
import { expect } from 'chai';
import { runExample, type ExampleRun } from './support/run-example';

const ROOT = path.resolve(__dirname, '../..');
const RUN_TIMEOUT_MS = 120_000;

describe('examples/demo.ts (npm start)', function () {
  this.timeout(RUN_TIMEOUT_MS + 30_000);
  let run: ExampleRun;
  let sections: Map<string, string[]>;

  before(async function () {
    run = await runExample('examples/demo.ts', ROOT, RUN_TIMEOUT_MS);
    sections = bySection(run.stdout);
  });

  it('exits 0 within the time limit, reports no error and leaves no process running', () => {
    const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
    expect(run.timedOut, `timed out after ${RUN_TIMEOUT_MS} ms\n${context}`).to.equal(false);
    expect(run.code, context).to.equal(0);
    // Not empty: a newer Node may print its own deprecation warnings there.
    expect(run.stderr).to.not.match(/error/i);
    expect(run.strays, 'processes outlived the demo').to.equal(false);
  });

  it('saves the credential as version 1', () => {
    expect(section('1. Save a credential')).to.include('saved cred-1, version 1');
  });

  it('shows DynamoDB holding one envelope, not plaintext nor names, for the encrypted fields', () => {
    const stored = attributes(section('2. What DynamoDB stores'));
    expect(stored.get('id')).to.equal('S  cred-1');
    expect(stored.get('version')).to.equal('N  1');
    expect(stored.get('owner'), '@Signed: in clear').to.equal('S  alice');
    // Format v2: one sealed envelope per item; the magic 'TD' and version 2 open it.
    expect(stored.get('__td')).to.match(/^B {2}544402[0-9a-f]{18}\.\.\. \(\d+ bytes\)$/);
    for (const encrypted of ['secret', 'recoveryCodes'])
      expect(stored.has(encrypted)).to.equal(false);
    expect(section('2. What DynamoDB stores')).to.include(
      '  no attribute named: secret, recoveryCodes (sealed in __td)',
    );
    const raw = section('2. What DynamoDB stores').join('\n');
    for (const plaintext of ['sk_live_4f9a2c-demo', 'r-1111', 'r-2222']) {
      expect(raw).to.not.include(plaintext);
    }
  });

  it('reads the plaintext back', () => {
    expect(section('3. find() decrypts')).to.deep.equal([
      '  secret:        sk_live_4f9a2c-demo',
      '  recoveryCodes: r-1111, r-2222',
    ]);
  });

  it('logs the entity with its encrypted fields redacted', () => {
    const logged = section('4. Logging the entity redacts encrypted fields').join('\n');
    expect(logged).to.include("secret: '[REDACTED]'");
    expect(logged).to.include("recoveryCodes: '[REDACTED]'");
    expect(logged).to.include('"secret":"[REDACTED]","recoveryCodes":"[REDACTED]"');
    expect(logged).to.not.include('sk_live_4f9a2c-demo');
    expect(logged).to.not.include('r-1111');
  });

  it('fails closed in each case with its EncryptionError code', () => {
    const outcomes = section('5. Fail closed')
      .map((line) => /^ {2}(.+?)\s+-> ([A-Z_]+)$/.exec(line))
      .filter((match) => match !== null)
      .map(([, what, code]) => [what, code]);
    expect(outcomes).to.deep.equal([
      ['a client without a KMS key', 'ENCRYPTION_NOT_CONFIGURED'],
      ['a tampered envelope (one bit flipped)', 'INTEGRITY'],
      ["an envelope moved from another item (bob's into cred-1)", 'INTEGRITY'],
      ['a @Signed attribute changed (owner alice -> mallory)', 'INTEGRITY'],
      ['the envelope deleted', 'INTEGRITY'],
      ['the KMS key disabled', 'KMS_KEY_DISABLED'],
      ["plaintext planted under an encrypted field's name", 'PLAINTEXT_IN_ENCRYPTED_FIELD'],
    ]);
    expect(section('5. Fail closed')).to.include(
      '  the genuine item put back reads again: secret sk_live_4f9a2c-demo',
    );
    expect(section('5. Fail closed')).to.include(
      'Every failure above is a typed EncryptionError; none returned a value.',
    );
  });

  function section(title: string): string[] {
    const lines = sections.get(title);
    if (lines === undefined) expect.fail(`no section '${title}' in:\n${run.stdout}`);
    return lines;
  }
});

/** The demo's output split at its numbered headings ("1. Save a credential"), blank lines dropped. */
function bySection(stdout: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of stdout.split('\n')) {
    if (/^\d+\. /.test(line)) sections.set(line, (current = []));
    else if (line.trim() !== '') current.push(line);
  }
  return sections;
}

/** The "  name   value" lines of section 2, by attribute name. */
function attributes(lines: readonly string[]): Map<string, string> {
  return new Map(
    lines.map((line) => {
      const [, name = '', value = ''] = /^ {2}(\S+)\s+(.*)$/.exec(line) ?? [];
      return [name, value];
    }),
  );
}
