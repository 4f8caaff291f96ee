import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchResult, runBench } from '../../bench/run';
import { EXPECTED_FIGURES } from '../../bench/support/figure-keys';
import { TARGETS } from '../../bench/support/targets';
import { sharedDynamo, sharedKms } from '../support/stack';

// The benchmark itself is `npm run bench` (about ten minutes); this only proves that it starts,
// runs every section at tiny sizes (`--quick`) and writes every figure, to a temporary file.
describe('npm run bench (smoke, --quick)', function () {
  this.timeout(240_000);

  let dir: string;
  let result: BenchResult;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'theorydb-bench-'));
    const [dynamo, kms] = await Promise.all([sharedDynamo(), sharedKms()]);
    kms.clearFaults(); // in case a spec before this one left latency or failures behind
    await runBench({
      quick: true,
      out: join(dir, 'results.json'),
      stack: { dynamo, kms },
      log: () => undefined,
    });
    result = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResult;
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every figure as a finite number', () => {
    const missing = EXPECTED_FIGURES.filter(
      (key) => typeof result.figures[key] !== 'number' || !Number.isFinite(result.figures[key]),
    );
    expect(missing).to.deep.equal([]);
  });

  it('checks every target against a figure it produced', () => {
    expect(result.targets).to.have.length(TARGETS.length);
    for (const target of result.targets) {
      expect(result.figures, target.id).to.have.property(target.figure);
      expect(target.measured, target.id).to.be.a('number');
    }
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
