import { expect } from 'chai';
import { NonceSource, nextNonce } from '../../src/crypto/nonce-source';

const NONCES_PER_POOL = 341;

describe('nonce source', () => {
  it('hands out 12-byte nonces, all distinct over many pools', () => {
    const seen = new Set<string>();
    const draws = 20_000;
    for (let i = 0; i < draws; i += 1) {
      const nonce = nextNonce();
      expect(nonce.length).to.equal(12);
      seen.add(nonce.toString('hex'));
    }
    expect(seen.size).to.equal(draws);
  });

  it('slices one pool without overlap, then replaces it instead of refilling it', () => {
    const pools: Buffer[] = [];
    let fill = 0;
    const source = new NonceSource((size) => {
      fill += 1;
      const pool = Buffer.alloc(size, fill);
      pools.push(pool);
      return pool;
    });
    const first = Array.from({ length: NONCES_PER_POOL }, () => source.next());
    expect(pools).to.have.length(1);
    first.forEach((nonce, i) => {
      expect(nonce.buffer).to.equal(pools[0].buffer);
      expect(nonce.byteOffset).to.equal(pools[0].byteOffset + i * 12);
    });
    const snapshot = first.map((nonce) => nonce.toString('hex'));
    const next = source.next();
    expect(pools).to.have.length(2);
    expect(next.equals(Buffer.alloc(12, 2))).to.equal(true);
    // Nonces already handed out are untouched by the new pool.
    expect(first.map((nonce) => nonce.toString('hex'))).to.deep.equal(snapshot);
  });

  it('refuses a random source that returns a short buffer', () => {
    const source = new NonceSource((size) => Buffer.alloc(size - 1));
    expect(() => source.next()).to.throw(RangeError);
  });
});
