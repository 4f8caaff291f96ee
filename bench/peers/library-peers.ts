import type { LibraryPeerKey, PeerFactory } from '../support/libraries';
import { dynamoosePeer } from './dynamoose-peer';
import { electrodbPeer } from './electrodb-peer';
import { toolboxPeer } from './toolbox-peer';
import { typedormPeer } from './typedorm-peer';

/** The peers built on other libraries; loaded by `loadLibraryPeers` only when they are installed. */
export const LIBRARY_PEERS: Record<LibraryPeerKey, PeerFactory> = {
  typedorm: typedormPeer,
  electrodb: electrodbPeer,
  toolbox: toolboxPeer,
  dynamoose: dynamoosePeer,
};
