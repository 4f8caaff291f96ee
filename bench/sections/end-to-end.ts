import type { LocalDynamo } from '../../src/testing';
import type { Peer } from '../peers/peer';
import { rawSdkPeer } from '../peers/raw-sdk-peer';
import { theorydbPeer } from '../peers/theorydb-peer';
import type { Figures } from '../support/figures';
import { compare, medianOps, ratio } from '../support/harness';
import { LIBRARY_PEER_KEYS, type LibraryPeerKey, type PeerFactory } from '../support/libraries';
import type { BenchSettings } from '../support/settings';

/** Every peer, by the key its figures carry. theorydb first: every ratio is theorydb / peer. */
export const PEER_KEYS = ['theorydb', 'rawSdk', ...LIBRARY_PEER_KEYS] as const;
export type PeerKey = (typeof PEER_KEYS)[number];

/** The peers that need no install of their own. */
const OWN_PEERS: Record<Exclude<PeerKey, LibraryPeerKey>, PeerFactory> = {
  theorydb: theorydbPeer,
  rawSdk: rawSdkPeer,
};

const QUERY_PARTITION = 'query-customer';

let sink = 0;

/**
 * Section 4: put, get and a query of one partition (100 items) through theorydb, the raw SDK and
 * the libraries users pick instead, on the same DynamoDB Local, interleaved operation by
 * operation (each round runs one operation of every library, in rotated order). Each put writes a
 * new item; each get reads one of the query partition's items. The library peers run when given
 * (`libraryPeers`, installed by bench/prepare.js); the figures of any not given are absent.
 */
export async function endToEndSection(
  settings: BenchSettings,
  dynamo: LocalDynamo,
  libraryPeers: Partial<Record<LibraryPeerKey, PeerFactory>>,
): Promise<Figures> {
  const { warmup, putRounds, getRounds, queryRounds, queryItems, serverWarmup } = settings.e2e;
  const factories: Partial<Record<PeerKey, PeerFactory>> = { ...OWN_PEERS, ...libraryPeers };
  const keys = PEER_KEYS.filter((key) => factories[key] !== undefined);
  const peers = new Map<PeerKey, Peer>(
    keys.map((key) => [key, (factories[key] as PeerFactory)(dynamo)]),
  );
  const figures: Figures = { queryItems };
  try {
    for (const peer of peers.values()) {
      await peer.setup();
      for (let n = 0; n < queryItems; n += 1) await peer.put(QUERY_PARTITION, n);
    }
    // DynamoDB Local is a JVM: its JIT needs a few thousand requests before its speed settles, and
    // without this the first comparison measured the server warming up, not the libraries.
    const raw = peers.get('rawSdk') as Peer;
    for (let i = 0; i < serverWarmup; i += 1) {
      await raw.put('warm-up', i);
      await raw.get(QUERY_PARTITION, i % queryItems);
      if (i % 10 === 0) await raw.query(QUERY_PARTITION);
    }
    let written = 0;
    const ops = {
      put: { rounds: putRounds, run: (peer: Peer) => peer.put('put-customer', (written += 1)) },
      get: {
        rounds: getRounds,
        run: async (peer: Peer) => {
          sink += await peer.get(QUERY_PARTITION, written % queryItems);
          written += 1;
        },
      },
      query: {
        rounds: queryRounds,
        run: async (peer: Peer) => {
          const found = await peer.query(QUERY_PARTITION);
          if (found !== queryItems)
            throw new Error(`${peer.name} read ${found} of ${queryItems} items`);
          sink += found;
        },
      },
    };
    for (const [op, { rounds, run }] of Object.entries(ops)) {
      const measured = await compare(
        [...peers].map(([key, peer]) => ({
          name: key,
          batch: async (n: number) => {
            for (let i = 0; i < n; i += 1) await run(peer);
          },
        })),
        { rounds, warmup, ops: 1 },
      );
      for (const key of keys) {
        figures[`${op}.${key}OpsPerSec`] = medianOps(measured, key);
        if (key !== 'theorydb')
          figures[`${op}.theorydbVs.${key}`] = ratio(measured, 'theorydb', key);
      }
    }
  } finally {
    for (const peer of peers.values()) peer.close();
  }
  return figures;
}

/** Read by nobody; keeps the sink observable. */
export function endToEndSink(): number {
  return sink;
}
