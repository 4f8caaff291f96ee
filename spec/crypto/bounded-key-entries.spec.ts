import { expect } from 'chai';
import fc from 'fast-check';
import { BoundedKeyEntries, type KeyEntryLimits } from '../../src/crypto/bounded-key-entries';
import type { DataKeyMaterial } from '../../src/crypto/data-key';
import { randomMaterial } from './fixtures/crypto-fixtures';

/** Entries whose loads are numbered, so the order in which keys were handed out can be compared. */
function numberedEntries(limits: KeyEntryLimits, now: () => number) {
  const entries = new BoundedKeyEntries(limits, now);
  const loaded: DataKeyMaterial[] = [];
  const load = () => {
    const material = randomMaterial();
    loaded.push(material);
    return Promise.resolve(material);
  };
  /** Which load each handed-out key came from. */
  const loadNumbers = async (keys: Promise<DataKeyMaterial>[]) =>
    (await Promise.all(keys)).map((key) => loaded.indexOf(key));
  return { entries, loaded, load, loadNumbers };
}

describe('BoundedKeyEntries.useMany', () => {
  it('hands out exactly what the same number of use() calls in a row would (property)', async () => {
    const request = fc.record({
      id: fc.constantFrom('a', 'b', 'c'),
      count: fc.integer({ min: 1, max: 12 }),
      advanceMs: fc.constantFrom(0, 0, 40, 200),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        // At least as many entries as ids: a key used up within one useMany call evicts nothing,
        // where use() in a row could have evicted another (documented).
        fc.integer({ min: 3, max: 5 }),
        fc.array(request, { minLength: 1, maxLength: 15 }),
        async (maxUses, maxEntries, requests) => {
          const limits = { maxUses, maxEntries, maxAgeMs: 100 };
          let time = 0;
          const many = numberedEntries(limits, () => time);
          const one = numberedEntries(limits, () => time);
          for (const { id, count, advanceMs } of requests) {
            time += advanceMs;
            const bulk = many.entries.useMany(id, count, many.load);
            const single = Array.from({ length: count }, () => one.entries.use(id, one.load));
            expect(bulk).to.have.length(count);
            // The same loads, in the same places: load n of one side matches load n of the other.
            const bulkLoads = await many.loadNumbers(bulk);
            expect(bulkLoads).to.deep.equal(await one.loadNumbers(single));
            expect(bulkLoads).to.not.include(-1);
            expect(many.entries.size).to.equal(one.entries.size);
          }
          expect(many.loaded.length).to.equal(one.loaded.length);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never hands one entry out more than maxUses times', async () => {
    const { entries, load, loadNumbers } = numberedEntries(
      { maxUses: 3, maxEntries: 10, maxAgeMs: 1_000 },
      () => 0,
    );
    const keys = entries.useMany('a', 10, load);
    expect(await loadNumbers(keys)).to.deep.equal([0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
    // The last entry has uses left: the next call continues it.
    expect(await loadNumbers([entries.use('a', load)])).to.deep.equal([3]);
  });
});
