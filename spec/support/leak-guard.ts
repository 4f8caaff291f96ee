import { inspect } from 'node:util';
import { TheoryDbError } from '../../src/errors/theorydb-error';
import * as loggerModule from '../../src/repository/logger';
import type { TheoryDbLogger } from '../../src/repository/logger';
import { recordFigures } from '../reliability/support/report';
import { errorTexts, plaintextForms } from './leak-check';

/**
 * The suite-wide leak guard, registered as mocha root hooks by spec/hooks.ts.
 *
 * For the whole run it captures:
 * - everything written to `process.stdout` and `process.stderr` (passed through unchanged);
 * - every record the library logger of any `TheoryDb` receives: the guard wraps the logger a
 *   `TheoryDb` is constructed with (or none) in a recording one, so library log output is seen
 *   even for instances built without a logger;
 * - every `TheoryDbError` constructed anywhere in the suite, caught or not, plus errors a spec
 *   hands to {@link inspectError}; each is checked in every printed form (message, stack, cause,
 *   `util.inspect`, JSON, `String()`).
 *
 * The root `afterAll` fails the run when any sentinel secret ({@link registerSentinel}, plus the
 * central list below) appears in any of them, in clear, hex (packed or as `inspect` prints a
 * Buffer), base64 at any alignment, or as the byte list of `inspect`/JSON of a Uint8Array. Test
 * and suite titles are checked too, so a spec reporter would not print a sentinel either.
 *
 * Specs that deliberately print an encrypted value to prove its redaction capture stdout
 * themselves (spec/encryption/redaction.spec.ts replaces `process.stdout.write` while it prints),
 * so their output never reaches the guard.
 */

/**
 * Plaintexts of `@Encrypted` fields used across the suite. None of them may ever appear in output,
 * in a log record or in a printed error.
 */
const CENTRAL_SENTINELS: readonly string[] = [
  // spec/encryption/error-table.spec.ts
  'sk_live_ERRTABLE_4f9a2c7e1b3d5a90',
  // spec/encryption/redaction.spec.ts
  'redaction-secret-7Qm2-PLAINTEXT',
  'recovery-code-AAAA-1111',
  'recovery-code-BBBB-2222',
  // spec/encryption/attacks.spec.ts
  'attack-secret-0123456789-abcdefghij',
  'attack-pin-9876543210',
  // spec/encryption/plaintext-fixture.spec.ts
  'fixture-secret-in-clear-0042',
  // spec/encryption/kms-counts.spec.ts
  'counts-field-a-secret',
  'counts-field-b-secret',
  // spec/transactions/transaction.spec.ts
  'sk_live_tx_secret_9f8e',
];

/** The reliability specs' own secrets: stored in `@Encrypted` fields, never to be printed. */
export const SENTINELS = {
  card: 'rel-sentinel-CARD-4111-1111-1111-1111',
  token: 'rel-sentinel-TOKEN-ghp_Q8f3k2mZr7Lw0x',
  password: 'rel-sentinel-PASSWORD-correct-horse-battery',
  note: 'rel-sentinel-NOTE-Ünïcödé-密码-🔐',
  ledger: 'rel-sentinel-LEDGER-7b1d9e44c0aa',
} as const;

/** The shortest sentinel accepted: shorter strings would match unrelated output by chance. */
const MIN_SENTINEL_LENGTH = 12;

const sentinels = new Set<string>([...CENTRAL_SENTINELS, ...Object.values(SENTINELS)]);
let matcher: { regex: RegExp; owner: Map<string, string> } | undefined;

/**
 * Adds a secret the run must never print. Call it at module level or in a `before` hook of a spec
 * that stores the secret in an `@Encrypted` field.
 *
 * @example
 * ```ts
 * const SECRET = 'my-spec-secret-1234';
 * registerSentinel(SECRET);
 * ```
 */
export function registerSentinel(secret: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_SENTINEL_LENGTH || !/\p{L}/u.test(secret)) {
    throw new RangeError(
      `a sentinel must be a string of at least ${MIN_SENTINEL_LENGTH} chars with a letter`,
    );
  }
  if (!sentinels.has(secret)) {
    sentinels.add(secret);
    matcher = undefined;
  }
}

/**
 * Every text form of `secret` the guard searches for: {@link plaintextForms} (clear, hex, base64
 * at the three alignments) plus the forms `inspect` and JSON give a Buffer or Uint8Array.
 */
export function sentinelForms(secret: string): string[] {
  const bytes = [...Buffer.from(secret, 'utf8')];
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0'));
  return [
    ...new Set([
      ...plaintextForms(secret),
      hex.join(' '),
      bytes.join(', '),
      bytes.join(','),
      // JSON escapes: a secret with non-ASCII characters may be written with \u escapes.
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(secret)
        .slice(1, -1)
        .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    ]),
  ];
}

function currentMatcher(): { regex: RegExp; owner: Map<string, string> } {
  if (matcher === undefined) {
    const owner = new Map<string, string>();
    for (const secret of sentinels) {
      for (const form of sentinelForms(secret)) owner.set(form, secret);
    }
    const alternatives = [...owner.keys()]
      .sort((a, b) => b.length - a.length)
      .map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    matcher = { regex: new RegExp(alternatives.join('|')), owner };
  }
  return matcher;
}

/** A label for a sentinel that does not repeat it (failure messages are printed too). */
function labelOf(secret: string): string {
  return `sentinel #${[...sentinels].indexOf(secret)} (${secret.length} chars)`;
}

/**
 * The sentinel `text` holds in one of its forms, as a label, or undefined.
 *
 * @example
 * ```ts
 * expect(findSentinel(inspect(error))).to.equal(undefined);
 * ```
 */
export function findSentinel(text: string): string | undefined {
  const { regex, owner } = currentMatcher();
  // `inspect` wraps and pads long byte lists over several lines: search a collapsed copy too.
  const match =
    regex.exec(text) ?? (/\s\s/.test(text) ? regex.exec(text.replace(/\s+/g, ' ')) : null);
  if (match === null) return undefined;
  return labelOf(owner.get(match[0]) ?? '?');
}

// ---- captured output --------------------------------------------------------------------------

const output: string[] = [];
let outputBytes = 0;

function captureStream(stream: NodeJS.WriteStream, name: string): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const patched = function (chunk: unknown, ...rest: unknown[]) {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString('utf8')
          : String(chunk);
    output.push(`[${name}] ${text}`);
    outputBytes += text.length;
    return original(chunk, ...rest);
  };
  stream.write = patched;
}

// ---- library logger ---------------------------------------------------------------------------

const logRecords = new Set<string>();
let logCalls = 0;

function recordLog(level: string, details: unknown, message: unknown): void {
  logCalls += 1;
  // Durations differ on every call; without them identical records collapse into one.
  const text = JSON.stringify({ level, details, message }, (key, value: unknown) =>
    key === 'durationMs' ? 0 : typeof value === 'bigint' ? value.toString() : value,
  );
  logRecords.add(text);
}

/** A logger that records every call for the guard, then forwards it to `inner`. */
function recordingLogger(inner: TheoryDbLogger | undefined): TheoryDbLogger {
  return {
    debug(details, message) {
      recordLog('debug', details, message);
      inner?.debug?.(details, message);
    },
    warn(details, message) {
      recordLog('warn', details, message);
      inner?.warn?.(details, message);
    },
  };
}

/** How many library log calls the guard has seen (for its own self-test). */
export function capturedLogCalls(): number {
  return logCalls;
}

// ---- errors -----------------------------------------------------------------------------------

let pendingErrors: unknown[] = [];
let errorsRecorded = 0;
let drainScheduled = false;
const errorFingerprints = new Set<string>();
let distinctErrorsChecked = 0;
/** The printed forms of each distinct error, kept to re-check against late sentinels. */
const errorForms: string[] = [];
const leaks: string[] = [];

/**
 * Hands an error a spec caught to the guard, which checks it in every printed form. Every
 * `TheoryDbError` is recorded automatically; use this for other errors a spec wants covered.
 *
 * @example
 * ```ts
 * const error = await rejectionOf(repo.find(key));
 * inspectError(error);
 * ```
 */
export function inspectError(error: unknown): void {
  errorsRecorded += 1;
  pendingErrors.push(error);
  if (pendingErrors.length >= 4096 && !drainScheduled) {
    drainScheduled = true;
    setImmediate(drainErrors);
  }
}

/** How many errors the guard has recorded so far (for its own self-test). */
export function recordedErrorCount(): number {
  return errorsRecorded;
}

function jsonOf(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? ''
    );
  } catch {
    return '<unserialisable>';
  }
}

/**
 * What makes two errors print alike: class, message, JSON form, own keys and the cause's name,
 * message and JSON, with request ids (UUIDs) and every run of digits folded (versions, counts,
 * positions and request ids would otherwise make each error unique). The stack differs only by code positions, which hold
 * no values. The first error of each shape is checked in full; a sentinel has a letter, so it
 * cannot hide in the digits folded away.
 */
function fingerprint(error: unknown): string {
  if (typeof error !== 'object' || error === null) return `${typeof error}:${String(error)}`;
  const e = error as { message?: unknown; cause?: unknown };
  const cause = e.cause as { name?: unknown; message?: unknown } | undefined;
  return [
    error.constructor?.name,
    String(e.message),
    jsonOf(error),
    Object.keys(error).join(','),
    cause === undefined ? '' : `${String(cause.name)}:${String(cause.message)}:${jsonOf(cause)}`,
  ]
    .join('\u0000')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, 'uuid')
    .replace(/[0-9]+/g, '0');
}

/** Past this many distinct shapes the set starts over: bounded memory for long runs (soak). */
const MAX_FINGERPRINTS = 50_000;

/** Checks every error recorded since the last drain (distinct ones in every printed form). */
export function drainErrors(): void {
  drainScheduled = false;
  const batch = pendingErrors;
  pendingErrors = [];
  for (const error of batch) {
    const key = fingerprint(error);
    if (errorFingerprints.has(key)) continue;
    if (errorFingerprints.size >= MAX_FINGERPRINTS) errorFingerprints.clear();
    errorFingerprints.add(key);
    distinctErrorsChecked += 1;
    const texts =
      typeof error === 'object' && error !== null
        ? Object.values(errorTexts(error))
        : [String(error)];
    const joined = texts.join('\n');
    if (retainErrorForms) errorForms.push(joined);
    const found = findSentinel(joined);
    if (found !== undefined) {
      const name = (error as { name?: unknown } | null)?.name;
      leaks.push(`an error (${String(name)}) holds ${found} in a printed form`);
    }
  }
}

// ---- installation -----------------------------------------------------------------------------

let installed = false;
let retainErrorForms = true;

/**
 * Starts capturing. Idempotent; spec/hooks.ts calls it when mocha loads the root hooks, before
 * any spec file runs. `retainErrorForms: false` (for the soak) checks each distinct error once,
 * against the sentinels registered by then, without keeping its printed forms.
 */
export function installLeakGuard(options: { retainErrorForms?: boolean } = {}): void {
  if (installed) return;
  installed = true;
  retainErrorForms = options.retainErrorForms ?? true;
  captureStream(process.stdout, 'stdout');
  captureStream(process.stderr, 'stderr');

  // Every TheoryDbError assigns `this.name` in its constructor: an accessor on the prototype sees
  // that assignment, records the instance and stores the name exactly as the assignment would
  // have (an own, enumerable, writable property), so nothing about the error changes.
  const errorPrototype = TheoryDbError.prototype;
  Object.defineProperty(errorPrototype, 'name', {
    configurable: true,
    get(): unknown {
      return Reflect.get(Error.prototype, 'name', this);
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, 'name', {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      if (this !== errorPrototype) inspectError(this);
    },
  });

  // Every library log record goes through logOperation, which each caller reads from the module's
  // exports at call time (CommonJS): wrapping the export captures the records of every TheoryDb,
  // built with a logger or without one, while the wrapped logger still receives them unchanged.
  const original = loggerModule.logOperation;
  const recording: typeof original = (logger, entry) => original(recordingLogger(logger), entry);
  if (!Reflect.set(loggerModule, 'logOperation', recording)) {
    throw new Error('leak guard: cannot wrap logOperation');
  }
}

interface TitledSuite {
  title: string;
  suites: TitledSuite[];
  tests: { title: string }[];
}

function checkTitles(suite: TitledSuite | undefined, path: string[] = []): void {
  if (suite === undefined) return;
  const here = [...path, suite.title];
  const found = findSentinel(suite.title);
  if (found !== undefined) leaks.push(`the title of suite "${here.join(' > ')}" holds ${found}`);
  for (const test of suite.tests) {
    const inTest = findSentinel(test.title);
    if (inTest !== undefined) leaks.push(`a test title in "${here.join(' > ')}" holds ${inTest}`);
  }
  for (const child of suite.suites) checkTitles(child, here);
}

/** The leaks found so far, after checking everything captured against every sentinel. */
export function collectLeaks(): string[] {
  drainErrors();
  const found = [...leaks];
  const stdout = findSentinel(output.join(''));
  if (stdout !== undefined) found.push(`stdout/stderr output holds ${stdout}`);
  const logged = findSentinel([...logRecords].join('\n'));
  if (logged !== undefined) found.push(`a library log record holds ${logged}`);
  // Sentinels registered after an error was checked: check the kept forms again.
  const late = findSentinel(errorForms.join('\n'));
  if (late !== undefined && !found.some((f) => f.includes(late))) {
    found.push(`an error holds ${late} in a printed form`);
  }
  return [...new Set(found)];
}

/** Root `afterEach` of the guard (spec/hooks.ts): checks the errors the test produced. */
export function leakGuardAfterEach(): void {
  drainErrors();
}

/**
 * Root `afterAll` of the guard (spec/hooks.ts): checks everything captured during the run, and
 * the titles of every suite and test, and fails the run on any leak.
 */
export function leakGuardAfterAll(this: Mocha.Context): void {
  checkTitles(this.test?.parent);
  const found = collectLeaks();
  recordFigures('leak-guard', {
    sentinels: sentinels.size,
    outputChars: outputBytes,
    logCalls,
    distinctLogRecords: logRecords.size,
    errorsRecorded,
    distinctErrorsChecked,
    leaksFound: found.length,
  });
  if (found.length > 0) {
    throw new Error(
      `leak guard: ${found.length} leak(s) of sentinel secrets during the run:\n- ` +
        found.join('\n- '),
    );
  }
}

/** The printed forms the guard checks for `error`, joined (for specs that check a sample). */
export function printedFormsOf(error: unknown): string {
  return typeof error === 'object' && error !== null
    ? Object.values(errorTexts(error)).join('\n')
    : inspect(error);
}
