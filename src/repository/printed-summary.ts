import type { inspect, InspectOptionsStylized } from 'node:util';

/**
 * The `util.inspect.custom` form of a library object: its class name and a summary of names and
 * counts, such as `Repository<User> { table: 'users', entity: 'User' }`. Objects that hold a
 * cursor key, KMS clients or data keys print this instead of their state; their state also lives
 * in native private fields or module-private maps, so `console.dir` (which skips this hook) finds
 * nothing to print either.
 *
 * Summaries name tables, entities and key *names*, never key ids or ARNs. An ARN is not secret
 * (errors carry it, where it tells the operator which key failed), but a summary can end up in any
 * log line, and has no need for the account, region and key id that map the application's KMS
 * setup out for whoever reads the logs.
 *
 * @example
 * ```ts
 * [inspect.custom](depth: number, options: InspectOptionsStylized, print: typeof inspect) {
 *   return printedSummary('Repository<User>', this.toJSON(), depth, options, print);
 * }
 * ```
 */
export function printedSummary(
  name: string,
  summary: Record<string, unknown>,
  depth: number,
  options: InspectOptionsStylized,
  print: typeof inspect,
): string {
  if (depth < 0) return options.stylize(`[${name}]`, 'special');
  // showHidden would only add `[length]` to the summary's arrays: the summary is all there is.
  return `${name} ${print(summary, { ...options, showHidden: false, depth: 2 })}`;
}
