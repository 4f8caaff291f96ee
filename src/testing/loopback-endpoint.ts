import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

/**
 * True when the client is configured with an explicit endpoint on a loopback address. A client
 * without an explicit endpoint talks to AWS, and is not loopback.
 */
export async function hasLoopbackEndpoint(client: DynamoDBClient): Promise<boolean> {
  const provider = (client.config as { endpoint?: () => Promise<unknown> }).endpoint;
  if (typeof provider !== 'function') return false;
  const endpoint = (await provider()) as { url?: URL; hostname?: string } | undefined;
  const host = endpoint?.url?.hostname ?? endpoint?.hostname;
  if (typeof host !== 'string') return false;
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}
