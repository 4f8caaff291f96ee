import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

// docs/threat-model.md's "Attacks considered" names, for each attack, the spec that performs it:
// a name in spec/holes/, or a path under spec/ (`encryption/attacks`) for the attacks format v2
// closes. Keep them in step: every row's spec exists, and every hole spec has its row.

const ROOT = path.resolve(__dirname, '../..');

function attacksConsidered(): { attack: string; spec: string }[] {
  const text = fs.readFileSync(path.join(ROOT, 'docs/threat-model.md'), 'utf8');
  const start = text.indexOf('## Attacks considered');
  expect(start, 'the section exists').to.be.greaterThan(-1);
  const section = text.slice(start, text.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| **'))
    .map((line) => {
      const cells = line.split(' | ');
      return { attack: cells[0], spec: cells[cells.length - 1].replace(/[`| ]/g, '') };
    });
}

describe('docs: the threat model lists every attack considered with its spec', () => {
  it('names an existing hole spec on every row, and every hole spec on some row', () => {
    const rows = attacksConsidered();
    expect(rows.length).to.be.at.least(14);
    for (const { attack, spec } of rows) {
      const file = spec.includes('/')
        ? path.join(ROOT, 'spec', `${spec}.spec.ts`)
        : path.join(ROOT, 'spec/holes', `${spec}.spec.ts`);
      expect(fs.existsSync(file), `${attack.slice(0, 40)}: ${spec}`).to.equal(true);
    }
    const listed = new Set(rows.map((row) => row.spec));
    const specs = fs
      .readdirSync(path.join(ROOT, 'spec/holes'))
      .filter((name) => name.endsWith('.spec.ts'))
      .map((name) => name.replace(/\.spec\.ts$/, ''));
    expect(specs.filter((spec) => !listed.has(spec))).to.deep.equal([]);
    // The attacks on stored items that format v2 closes, each with its spec.
    expect([...listed].filter((spec) => spec.includes('/')).sort()).to.deep.equal([
      'encryption/attacks',
      'encryption/multi-region',
    ]);
  });
});
