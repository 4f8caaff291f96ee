import { ValidationError } from '../errors';

/**
 * sign, integer digits, fraction digits, exponent. At least one digit is required (checked after
 * the match, as a regular expression saying so would be harder to read).
 */
const DECIMAL_PATTERN = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/**
 * Exponents with more digits than this are refused (after leading zeros are dropped) unless the
 * number is zero. DynamoDB's own range is 1E-130 to 9.99E+125, so this only bounds the work.
 */
const MAX_EXPONENT_DIGITS = 6;

/**
 * Longest expanded digit string accepted: far above anything DynamoDB stores (38 significant
 * digits within 1E-130..1E+126 expand to at most about 170 characters), low enough that a hostile
 * exponent cannot make us build a huge string.
 */
const MAX_EXPANDED_DIGITS = 1024;

const ZERO = '0'.charCodeAt(0);

/**
 * The canonical decimal form of a DynamoDB number string: no exponent, no `+`, no leading zeros
 * in the integer part (a lone `0` stays), no trailing zeros in the fraction, no `.` without a
 * fraction, and `0` for every zero (including `-0`). Pure string arithmetic: no floating point,
 * so every decimal DynamoDB can hold is exact.
 *
 * DynamoDB normalises the numbers it stores (`1.50` reads back as `1.5`, `1e21` as
 * `1000000000000000000000`), so a number bound into associated data on write must be
 * canonicalised to match what a later read sees.
 *
 * @throws ValidationError when `n` is not a decimal number, or expands beyond 1024 digits.
 * @example
 * ```ts
 * canonicalNumber('1e21'); // '1000000000000000000000'
 * canonicalNumber('-001.500'); // '-1.5'
 * canonicalNumber('1.5E-3'); // '0.0015'
 * canonicalNumber('-0.0'); // '0'
 * ```
 */
export function canonicalNumber(n: string): string {
  const match = DECIMAL_PATTERN.exec(n);
  if (match === null) throw notDecimal();
  const [, sign = '', integerDigits = '', fractionDigits = '', exponentText] = match;
  if (integerDigits.length + fractionDigits.length === 0) throw notDecimal();

  // All significant digits, with the decimal point `point` digits from their start.
  let digits = integerDigits + fractionDigits;
  const leadingZeros = countLeadingZeros(digits);
  if (leadingZeros === digits.length) return '0';
  digits = digits.slice(leadingZeros, digits.length - countTrailingZeros(digits));
  const point = integerDigits.length - leadingZeros + parseExponent(exponentText);

  const expandedLength = Math.max(point, digits.length) + Math.max(-point, 0);
  if (expandedLength > MAX_EXPANDED_DIGITS) throw outOfRange();

  const negative = sign === '-' ? '-' : '';
  if (point >= digits.length) return negative + digits + '0'.repeat(point - digits.length);
  if (point > 0) return `${negative}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${negative}0.${'0'.repeat(-point)}${digits}`;
}

function parseExponent(text: string | undefined): number {
  if (text === undefined) return 0;
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const significant = unsigned.slice(countLeadingZeros(unsigned));
  if (significant.length > MAX_EXPONENT_DIGITS) throw outOfRange();
  const magnitude = significant.length === 0 ? 0 : Number.parseInt(significant, 10);
  return negative ? -magnitude : magnitude;
}

function countLeadingZeros(digits: string): number {
  let count = 0;
  while (count < digits.length && digits.charCodeAt(count) === ZERO) count += 1;
  return count;
}

function countTrailingZeros(digits: string): number {
  let count = 0;
  while (count < digits.length && digits.charCodeAt(digits.length - 1 - count) === ZERO) count += 1;
  return count;
}

function notDecimal(): ValidationError {
  return new ValidationError('a number key value is not a decimal number');
}

function outOfRange(): ValidationError {
  return new ValidationError('a number key value is outside the supported range');
}
