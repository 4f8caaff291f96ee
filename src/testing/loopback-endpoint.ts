import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

/** True for `localhost`, `::1` and the IPv4 loopback range 127.0.0.0/8, written out in full. */
export function isLoopbackHost(host: unknown): boolean {
  if (typeof host !== 'string') return false;
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * True when the client is configured with an explicit endpoint on a loopback address. A client
 * without an explicit endpoint talks to AWS, and is not loopback. This is an early answer only:
 * the SDK resolves the endpoint again for every request, so {@link loopbackOnlyClient} checks the
 * host of each request as well.
 */
export async function hasLoopbackEndpoint(client: DynamoDBClient): Promise<boolean> {
  const provider = (client.config as { endpoint?: () => Promise<unknown> }).endpoint;
  if (typeof provider !== 'function') return false;
  const endpoint = (await provider()) as { url?: URL; hostname?: string } | undefined;
  return isLoopbackHost(endpoint?.url?.hostname ?? endpoint?.hostname);
}

/**
 * `client`, seen through an object whose `send` adds to each command a last middleware that
 * refuses (with `refusal()`) a request whose host is not loopback. Why per request: the endpoint
 * is resolved by the SDK for every request, from `client.config.endpoint` as it is then, so a
 * check made once (or by calling the provider separately) says nothing about where the next
 * request goes: a replaced `config.endpoint` or a provider that answers differently each time
 * would send the fixture's plaintext elsewhere. The middleware sits in the last step before the
 * request handler and is added to the command, after every middleware of the client.
 */
export function loopbackOnlyClient(client: DynamoDBClient, refusal: () => Error): DynamoDBClient {
  const send = (command: Parameters<DynamoDBClient['send']>[0], options?: unknown) => {
    command.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { hostname?: unknown } | undefined;
        if (!isLoopbackHost(request?.hostname)) return Promise.reject(refusal());
        return next(args);
      },
      { step: 'deserialize', priority: 'low', name: 'theorydbLoopbackOnly' },
    );
    return (client.send as (command: unknown, options?: unknown) => Promise<unknown>)(
      command,
      options,
    );
  };
  return Object.create(client, { send: { value: send } }) as DynamoDBClient;
}
