/** DynamoDB's limit of keys in one BatchGetItem request. */
export const MAX_GET_KEYS = 100;

/** DynamoDB's limit of put and delete requests in one BatchWriteItem request. */
export const MAX_WRITE_REQUESTS = 25;

/**
 * How many chunks of one batch call are in flight at once. Enough to hide the round trip of a
 * request without turning one call into a burst that throttles a provisioned table.
 */
export const CHUNK_CONCURRENCY = 4;
