import { expect } from 'chai';
import { TheoryDb, type KmsOptions } from '../../../src';
import type { LocalDynamo, LocalKms } from '../../../src/testing';
import { collectErrors } from './support/collected-errors';
import { expectErrorsLeakFree } from './support/error-leaks';
import { startRetiredKeys } from './support/stack';

// kms.retired is checked when a TheoryDb is constructed: a malformed option is a ValidationError
// naming it, and nothing is sent to KMS either way. No table: this file stores nothing, so its
// closing leak check has no envelopes to look for, only plaintexts.

describe('Retired keys: reading under a field’s former keys (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  let dynamo: LocalDynamo;
  let kms: LocalKms;
  const { errors, refusal } = collectErrors();

  before(async () => {
    ({ dynamo, kms } = await startRetiredKeys([]));
  });

  describe('validation at construction: ValidationError (VALIDATION) naming the option', () => {
    const cases: [string, unknown, RegExp][] = [
      [
        'retired a string',
        { keyId: 'alias/app', retired: 'alias/old' },
        /^TheoryDb: kms\.retired must be an object/,
      ],
      [
        'retired null',
        { keyId: 'alias/app', retired: null },
        /^TheoryDb: kms\.retired must be an object/,
      ],
      [
        'retired a number',
        { keyId: 'alias/app', retired: 7 },
        /^TheoryDb: kms\.retired must be an object/,
      ],
      [
        // Refused, though today through Array.prototype.keys ("kms.retired.keys must be an
        // object"): only the option's name is pinned here.
        'retired an array of ids (instead of { keyId: [...] })',
        { keyId: 'alias/app', retired: ['alias/old'] },
        /^TheoryDb: kms\.retired/,
      ],
      [
        'retired.keyId a string',
        { keyId: 'alias/app', retired: { keyId: 'alias/old' } },
        /^TheoryDb: kms\.retired\.keyId must be an array/,
      ],
      [
        'retired.keyId null',
        { keyId: 'alias/app', retired: { keyId: null } },
        /^TheoryDb: kms\.retired\.keyId must be an array/,
      ],
      [
        'retired.keys a string',
        { keyId: 'alias/app', retired: { keys: 'alias/old' } },
        /^TheoryDb: kms\.retired\.keys must be an object/,
      ],
      [
        'retired.keys null',
        { keyId: 'alias/app', retired: { keys: null } },
        /^TheoryDb: kms\.retired\.keys must be an object/,
      ],
      [
        'retired.keys.payments a string',
        { keys: { payments: 'alias/p2' }, retired: { keys: { payments: 'alias/p1' } } },
        /^TheoryDb: kms\.retired\.keys\.payments must be an array/,
      ],
      [
        'an empty retired id',
        { keyId: 'alias/app', retired: { keyId: ['alias/old', ''] } },
        /^TheoryDb: kms\.retired\.keyId must hold non-empty key ids/,
      ],
      [
        'a blank retired id',
        { keyId: 'alias/app', retired: { keyId: ['  '] } },
        /^TheoryDb: kms\.retired\.keyId must hold non-empty key ids/,
      ],
      [
        'a retired id that is not a string',
        { keyId: 'alias/app', retired: { keyId: [42] } },
        /^TheoryDb: kms\.retired\.keyId must hold non-empty key ids/,
      ],
      [
        'an empty named retired id',
        { keys: { payments: 'alias/p2' }, retired: { keys: { payments: [''] } } },
        /^TheoryDb: kms\.retired\.keys\.payments must hold non-empty key ids/,
      ],
      [
        'retired.keyId without kms.keyId',
        { keys: { payments: 'alias/p2' }, retired: { keyId: ['alias/old'] } },
        /^TheoryDb: kms\.retired\.keyId needs a current key in kms\.keyId$/,
      ],
      [
        'an empty retired.keyId without kms.keyId',
        { keys: { payments: 'alias/p2' }, retired: { keyId: [] } },
        /^TheoryDb: kms\.retired\.keyId needs a current key in kms\.keyId$/,
      ],
      [
        'retired.keys.payments without kms.keys.payments',
        { keyId: 'alias/app', retired: { keys: { payments: ['alias/p1'] } } },
        /^TheoryDb: kms\.retired\.keys\.payments needs a current key in kms\.keys\.payments$/,
      ],
      [
        'retired.keys.payments with only another named key bound',
        {
          keyId: 'alias/app',
          keys: { audit: 'alias/audit' },
          retired: { keys: { payments: ['alias/p1'] } },
        },
        /^TheoryDb: kms\.retired\.keys\.payments needs a current key in kms\.keys\.payments$/,
      ],
      [
        'the current default key listed as retired',
        { keyId: 'alias/app', retired: { keyId: ['alias/old', 'alias/app'] } },
        /^TheoryDb: kms\.retired\.keyId holds the current key of its binding$/,
      ],
      [
        'the current named key listed as retired',
        {
          keyId: 'alias/app',
          keys: { payments: 'alias/p2' },
          retired: { keys: { payments: ['alias/p2'] } },
        },
        /^TheoryDb: kms\.retired\.keys\.payments holds the current key of its binding$/,
      ],
    ];
    for (const [label, options, message] of cases) {
      it(`refuses ${label}`, () => {
        const client = kms.client();
        const error = refusal({ client, ...(options as object) });
        expect(error.message).to.match(message);
      });
    }

    it('accepts well-formed lists: empty ones, another binding’s current key, both bindings at once', () => {
      const client = kms.client();
      const before = kms.calls();
      const accepted: Omit<KmsOptions, 'client'>[] = [
        { keyId: 'alias/app', retired: {} },
        { keyId: 'alias/app', retired: { keyId: [] } },
        {
          keyId: 'alias/app',
          keys: { payments: 'alias/p2' },
          retired: { keys: { payments: ['alias/app'] } },
        },
        {
          keyId: 'alias/app',
          keys: { payments: 'alias/p2' },
          retired: { keyId: ['alias/old', 'alias/older'], keys: { payments: ['alias/p1'] } },
        },
      ];
      for (const options of accepted) {
        expect(
          new TheoryDb({ dynamodb: dynamo.client, kms: { client, ...options } }),
        ).to.be.instanceOf(TheoryDb);
      }
      expect(kms.calls()).to.equal(before);
    });
  });

  // Last: mocha runs a suite's own tests before its nested suites, so this one is a suite too.
  describe('what the errors above carry', () => {
    it('no error of this spec holds a plaintext or a ciphertext in any printed form', () =>
      expectErrorsLeakFree(errors, []));
  });
});
