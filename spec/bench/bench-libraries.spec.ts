import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLibraries, librariesAbsence } from '../../bench/support/libraries';

describe('bench peer libraries (bench/libraries, installed by bench/prepare.js)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'theorydb-bench-libraries-'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ dependencies: { dynamoose: '4.2.0', '@typedorm/core': '1.15.4' } }),
    );
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('names every package that is not installed, and the command that installs them', () => {
    mkdirSync(join(dir, 'node_modules', 'dynamoose'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'dynamoose', 'package.json'), '{}');
    const reason = librariesAbsence(dir);
    expect(reason).to.be.a('string').that.includes('@typedorm/core missing');
    expect(reason).not.to.include('dynamoose');
    expect(reason).to.include('node bench/prepare.js');
  });

  it('reports nothing when every package is installed', () => {
    for (const name of ['dynamoose', '@typedorm/core']) {
      mkdirSync(join(dir, 'node_modules', name), { recursive: true });
      writeFileSync(join(dir, 'node_modules', name, 'package.json'), '{}');
    }
    expect(librariesAbsence(dir)).to.equal(undefined);
  });

  it('npm run bench (required) refuses to run without them; the smoke test (ifInstalled) runs on', () => {
    expect(() => checkLibraries('required', dir)).to.throw(
      Error,
      /dynamoose, @typedorm\/core missing/,
    );
    expect(checkLibraries('ifInstalled', dir)).to.equal(librariesAbsence(dir));
    expect(checkLibraries('ifInstalled', dir)).to.be.a('string');
  });
});
