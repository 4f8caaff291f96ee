// README.md's TypeScript blocks are type-checked against the library's real types (src/), so a
// renamed method or option fails here instead of in a reader's editor. See readme-prelude.ts for
// what the blocks may use without declaring it, and support/snippet-program.ts for the program.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { entityMetadata } from '../../src';
import { fencedBlocks, type FencedBlock } from './support/fenced-blocks';
import { checkSnippets, type Snippet, type SnippetReport } from './support/snippet-program';
import { PRELUDE_ENTITIES } from './readme-prelude';

const ROOT = path.resolve(__dirname, '../..');
const LABEL = 'README.md';
const TYPESCRIPT = new Set(['ts', 'typescript']);

const { blocks, problems } = fencedBlocks(readFileSync(path.join(ROOT, LABEL), 'utf8'), LABEL);
const typescript = blocks.filter((block) => TYPESCRIPT.has(block.lang));
const checked = typescript.filter((block) => block.noCheck === undefined);
const unchecked = typescript.filter((block) => block.noCheck !== undefined);
const snippets = new Map<FencedBlock, Snippet>(
  checked.map((block) => [block, { firstLine: block.line + 1, code: block.code }]),
);

describe('README.md: TypeScript blocks type-check against src/', function () {
  let report: SnippetReport;

  before(function () {
    this.timeout(60_000);
    report = checkSnippets([...snippets.values()], {
      repoRoot: ROOT,
      label: LABEL,
      prelude: path.join(__dirname, 'readme-prelude.ts'),
      packages: new Map([
        ['theorydb', path.join(ROOT, 'src/index.ts')],
        ['theorydb/testing', path.join(ROOT, 'src/testing/index.ts')],
        // The user section's own module, a copy of its `credential.ts` block (checked below).
        ['./credential', path.join(__dirname, 'readme-credential.ts')],
      ]),
    });
  });

  it(`has well-formed fences and markers: ${checked.length} ts blocks checked, ${unchecked.length} marked no-check`, () => {
    expect(problems).to.deep.equal([]);
    expect(checked).to.not.be.empty;
  });

  it('compiles the prelude, whose entities are valid definitions, and reads no dist/ file', () => {
    expect(report.general).to.deep.equal([]);
    for (const entity of PRELUDE_ENTITIES) expect(() => entityMetadata(entity)).to.not.throw();
    const dist = `${path.join(ROOT, 'dist')}/`;
    expect(report.files.filter((file) => file.startsWith(dist))).to.deep.equal([]);
    expect(report.files).to.include(path.join(ROOT, 'src/testing/index.ts'));
  });

  it("readme-credential.ts is exactly the README's credential.ts block", () => {
    const block = checked.find((b) => b.code.startsWith('// credential.ts\n'));
    expect(block, 'the credential.ts block').to.not.equal(undefined);
    const copy = readFileSync(path.join(__dirname, 'readme-credential.ts'), 'utf8');
    // The copy imports the sources by path, so that it also compiles in the repository's program.
    const asInReadme = copy.replace(
      "from '../../src'; // 'theorydb' in the README",
      "from 'theorydb';",
    );
    expect(asInReadme.trimEnd()).to.equal(block?.code.trimEnd());
  });

  for (const [block, snippet] of snippets) {
    it(`${LABEL}:${block.line} ${headline(block)}`, () => {
      const diagnostics = report.diagnosticsOf(snippet);
      if (diagnostics.length > 0) expect.fail(`\n${diagnostics.join('\n')}`);
    });
  }

  for (const block of unchecked) {
    it.skip(`${LABEL}:${block.line} no-check (${block.noCheck}): ${headline(block)}`);
  }
});

/** A block's first code line, to name its test. */
function headline(block: FencedBlock): string {
  const first = block.code.split('\n').find((line) => line.trim() !== '') ?? '';
  const text = first.trim();
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
