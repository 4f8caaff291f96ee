import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDist, npmPack, ROOT } from './support/packed';

/** What `npm pack` would put in the tarball, without writing it. */
function packedFiles(): string[] {
  return npmPack()
    .files.map((file) => file.path)
    .sort();
}

// The published file list, as `npm pack` computes it from package.json `files` and dist/ (built
// first when missing: see ensureDist).
describe('npm pack (the published file list)', function () {
  let files: string[];

  before(function () {
    ensureDist(this);
    files = packedFiles();
  });

  it('ships the licence, the README, package.json and both entry points with their types', () => {
    expect(files).to.include.members([
      'LICENSE',
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
    ]);
  });

  it('ships every file package.json points at (main, types, exports)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      main: string;
      types: string;
      exports: Record<string, string | Record<string, string>>;
    };
    const targets = [
      manifest.main,
      manifest.types,
      ...Object.values(manifest.exports).flatMap((target) =>
        typeof target === 'string' ? [target] : Object.values(target),
      ),
    ].map((target) => target.replace(/^\.\//, ''));
    expect(targets.filter((target) => !files.includes(target))).to.deep.equal([]);
  });

  it('ships nothing but dist/, docs/*.md and the three top-level files', () => {
    const stray = files.filter(
      (file) =>
        !['LICENSE', 'README.md', 'package.json'].includes(file) &&
        !file.startsWith('dist/') &&
        !/^docs\/[^/]+\.md$/.test(file),
    );
    expect(stray).to.deep.equal([]);
  });

  it('ships no source maps, sources, specs, bench, examples or API reference', () => {
    const unwanted = files.filter(
      (file) =>
        file.endsWith('.map') ||
        /^(src|spec|bench|examples|scripts|node_modules|docs\/api)\//.test(file) ||
        /\.ts$/.test(file.replace(/\.d\.ts$/, '')),
    );
    expect(unwanted).to.deep.equal([]);
  });
});
