import { expect } from 'chai';
import { keyFingerprint } from '../../../src/crypto/key-fingerprint';
import { collectErrors } from './support/collected-errors';
import { paymentEntity } from './support/entities';
import { expectErrorsLeakFree } from './support/error-leaks';
import { bind, measure, newKey, type Key } from './support/kms-requests';
import { CARD, EMAIL } from './support/plaintexts';
import { startRetiredKeys } from './support/stack';
import { envelopeOf, sealingFingerprint } from './support/stored-items';

// Named keys: each binding (the default key, `keys.payments`) has retired keys of its own, and
// one binding's retired key never serves a field of another.

const { Payment, table: PAYMENT_TABLE } = paymentEntity();

describe('Retired keys: reading under a field’s former keys (DynamoDB Local + LocalKms)', function () {
  this.timeout(60_000);

  const { errors, failure } = collectErrors();

  before(() => startRetiredKeys([Payment]));

  describe('named keys: each binding has its own retired keys', () => {
    let D1: Key;
    let D2: Key;
    let P1: Key;
    let P2: Key;

    before(async () => {
      [D1, D2, P1, P2] = [
        await newKey('d1'),
        await newKey('d2'),
        await newKey('p1'),
        await newKey('p2'),
      ];
    });

    const payment = (id: string) => Object.assign(new Payment(), { id, email: EMAIL, card: CARD });
    const paymentsReader = () =>
      bind({
        keyId: D2.alias,
        keys: { payments: P2.alias },
        retired: { keyId: [D1.alias], keys: { payments: [P1.alias] } },
      });

    it('reads a payments value under keys.payments’ retired key, with Decrypt pinned to P1, and re-seals it under P2', async () => {
      await bind({ keyId: D1.alias, keys: { payments: P1.alias } })
        .db.repository(Payment)
        .save(payment('old'));
      const reader = paymentsReader();
      const repo = reader.db.repository(Payment);
      const [read, loaded] = await measure(reader, () => repo.get({ id: 'old' }));
      expect([loaded.email, loaded.card]).to.deep.equal([EMAIL, CARD]);
      expect(read.DescribeKey).to.equal(4);
      expect([...read.describe].sort()).to.deep.equal(
        [D1.alias, D2.alias, P1.alias, P2.alias].sort(),
      );
      expect([...read.decrypt].sort()).to.deep.equal([D1.arn, P1.arn].sort());
      const [write] = await measure(reader, () => repo.save(loaded));
      expect([...write.generate].sort()).to.deep.equal([D2.arn, P2.arn].sort());
      const key = { id: { S: 'old' } };
      const email = await envelopeOf(PAYMENT_TABLE, key);
      const card = await envelopeOf(PAYMENT_TABLE, key, '__td:payments');
      expect(sealingFingerprint(email).toString('hex')).to.equal(
        keyFingerprint(D2.arn).toString('hex'),
      );
      expect(sealingFingerprint(card).toString('hex')).to.equal(
        keyFingerprint(P2.arn).toString('hex'),
      );
    });

    it('a payments value under the default binding’s retired key is KEY_NOT_ALLOWED, and that key is not even resolved', async () => {
      // The writer binds payments to D1: what the reader retired for the default key only.
      await bind({ keyId: D2.alias, keys: { payments: D1.alias } })
        .db.repository(Payment)
        .save(payment('cross'));
      const reader = paymentsReader();
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Payment).find({ id: 'cross' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Payment',
          field: 'card',
          keyArn: P2.arn,
        }),
      );
      expect(measured).to.deep.include({ GenerateDataKey: 0, Decrypt: 0 });
      expect([...measured.describe].sort()).to.deep.equal([D2.alias, P2.alias, P1.alias].sort());
    });

    it('a default-key value under the payments binding’s retired key is KEY_NOT_ALLOWED too', async () => {
      await bind({ keyId: P1.alias, keys: { payments: P2.alias } })
        .db.repository(Payment)
        .save(payment('cross-default'));
      const reader = paymentsReader();
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Payment).find({ id: 'cross-default' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Payment',
          field: 'email',
          keyArn: D2.arn,
        }),
      );
      expect(measured).to.deep.include({ GenerateDataKey: 0, Decrypt: 0 });
      // The default binding's retired key D1 is resolved (no match); P1 never is.
      expect([...measured.describe].sort()).to.deep.equal([D2.alias, P2.alias, D1.alias].sort());
    });

    it('one item with both fields under the default binding’s retired key: email reads, card is KEY_NOT_ALLOWED', async () => {
      // Both envelopes carry D1's fingerprint; the match found for email must not serve card.
      await bind({ keyId: D1.alias, keys: { payments: D1.alias } })
        .db.repository(Payment)
        .save(payment('both-d1'));
      const reader = paymentsReader();
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Payment).find({ id: 'both-d1' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Payment',
          field: 'card',
          keyArn: P2.arn,
        }),
      );
      expect(measured).to.deep.include({ GenerateDataKey: 0, Decrypt: 0 });
      expect([...measured.describe].sort()).to.deep.equal(
        [D1.alias, D2.alias, P1.alias, P2.alias].sort(),
      );
      // The same email alone, under D1, reads: the refusal above was the card's.
      await bind({ keyId: D1.alias, keys: { payments: P2.alias } })
        .db.repository(Payment)
        .save(Object.assign(new Payment(), { id: 'email-d1', email: EMAIL }));
      expect((await reader.db.repository(Payment).get({ id: 'email-d1' })).email).to.equal(EMAIL);
    });

    it('retired keys of the default binding do not serve a named key that has none', async () => {
      const reader = bind({
        keyId: D2.alias,
        keys: { payments: P2.alias },
        retired: { keyId: [D1.alias, P1.alias] },
      });
      // 'old' was re-sealed under D2/P2 above; write a fresh one under P1 for payments.
      await bind({ keyId: D2.alias, keys: { payments: P1.alias } })
        .db.repository(Payment)
        .save(payment('named-none'));
      const [measured] = await measure(reader, () =>
        failure(reader.db.repository(Payment).find({ id: 'named-none' }), {
          code: 'KEY_NOT_ALLOWED',
          entity: 'Payment',
          field: 'card',
          keyArn: P2.arn,
        }),
      );
      expect(measured).to.deep.include({ DescribeKey: 2, Decrypt: 0 });
    });
  });

  // Last: mocha runs a suite's own tests before its nested suites, so this one is a suite too.
  describe('what the errors above carry', () => {
    it('no error of this spec holds a plaintext or a ciphertext in any printed form', () =>
      expectErrorsLeakFree(errors, [PAYMENT_TABLE]));
  });
});
