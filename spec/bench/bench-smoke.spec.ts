import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchResult, runBench } from '../../bench/run';
import { EXPECTED_FIGURES, peerFigureKeys } from '../../bench/support/figure-keys';
import { LIBRARY_PEER_KEYS, librariesAbsence } from '../../bench/support/libraries';
import { TARGETS } from '../../bench/support/targets';
import { sharedDynamo, sharedKms } from '../support/stack';

// The benchmark itself is `npm run bench` (about ten minutes); this only proves that it starts,
// runs every section at tiny sizes (`--quick`) and writes every figure, to a temporary file.
// The peers built on other libraries run only where `node bench/prepare.js` installed them (CI
// does; a fresh clone has not): without them exactly their end-to-end figures are absent.
describe('npm run bench (smoke, --quick)', function () {
  this.timeout(240_000);

  let dir: string;
  let result: BenchResult;
  const absence = librariesAbsence();
  const absentPeers = absence === undefined ? [] : [...LIBRARY_PEER_KEYS];
  const absentFigures = absentPeers.flatMap(peerFigureKeys);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'theorydb-bench-'));
    const [dynamo, kms] = await Promise.all([sharedDynamo(), sharedKms()]);
    kms.clearFaults(); // in case a spec before this one left latency or failures behind
    await runBench({
      quick: true,
      out: join(dir, 'results.json'),
      stack: { dynamo, kms },
      log: () => undefined,
      libraryPeers: 'ifInstalled',
    });
    result = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResult;
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`runs ${absence === undefined ? 'every peer' : 'without the library peers, and says why'}`, () => {
    expect(result.peersAbsent).to.deep.equal(
      absence === undefined ? undefined : { peers: LIBRARY_PEER_KEYS, reason: absence },
    );
  });

  it('writes every figure as a finite number, but for exactly those of absent peers', () => {
    for (const key of absentFigures) expect(EXPECTED_FIGURES, key).to.include(key);
    const missing = EXPECTED_FIGURES.filter(
      (key) => typeof result.figures[key] !== 'number' || !Number.isFinite(result.figures[key]),
    );
    expect(missing).to.have.members(absentFigures);
    expect(missing).to.have.length(absentFigures.length);
    expect(Object.keys(result.figures).filter((key) => absentFigures.includes(key))).to.deep.equal(
      [],
    );
  });

  it('checks every target against a figure it produced, but for those of absent peers', () => {
    expect(result.targets).to.have.length(TARGETS.length);
    for (const target of result.targets) {
      if (absentFigures.includes(target.figure)) {
        expect(result.figures, target.id).not.to.have.property(target.figure);
        expect(target.measured, target.id).to.equal(null); // NaN, as JSON writes it
        expect(target.met, target.id).to.equal(false);
      } else {
        expect(result.figures, target.id).to.have.property(target.figure);
        expect(target.measured, target.id).to.be.a('number');
      }
    }
    const unmeasured = result.targets.filter((t) => absentFigures.includes(t.figure));
    expect(unmeasured).to.have.length(absentPeers.length * 3); // put, get, query per peer
  });

  it('records when, where and how it ran', () => {
    expect(result.settings.quick).to.equal(true);
    expect(result.machine.node).to.equal(process.version);
    expect(result.machine.cores).to.be.greaterThan(0);
    expect(Number.isNaN(Date.parse(result.date))).to.equal(false);
  });

  it('counts the KMS requests the targets name, even at tiny sizes', () => {
    const figures = result.figures;
    expect(figures['kms.sequentialSaves.cacheOn.GenerateDataKey']).to.equal(1);
    expect(figures['kms.concurrentColdSaves.cacheOn.GenerateDataKey']).to.equal(1);
    expect(figures['kms.batchSave.cacheOn.GenerateDataKey']).to.equal(1);
    expect(figures['kms.query.cacheOff.Decrypt']).to.equal(figures['kms.query.distinctDataKeys']);
  });
});
