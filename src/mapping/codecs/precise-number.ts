/**
 * A stored DynamoDB number as a JavaScript value without losing digits, where no declared type
 * says which (untyped sets, plain objects): integers beyond the safe range load as `bigint`s,
 * everything else as `number`s.
 */
export function preciseNumber(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) || !/^-?\d+$/.test(text) ? n : BigInt(text);
}
