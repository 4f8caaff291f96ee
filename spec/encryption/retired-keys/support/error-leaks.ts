import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { parseEnvelope } from '../../../../src/crypto/envelope';
import { expectNoLeak } from '../../../crypto/fixtures/crypto-fixtures';
import { expectErrorFreeOf } from '../../../support/leak-check';
import { PLAINTEXTS } from './plaintexts';
import { stack } from './stack';

/**
 * Fails when any of `errors` holds a plaintext, or a ciphertext stored in `tables`, in any printed
 * form. Each spec file runs it last, over the errors it collected and the tables it wrote, so the
 * guarantee holds per file whatever order files run in.
 */
export async function expectErrorsLeakFree(
  errors: readonly Error[],
  tables: readonly string[],
): Promise<void> {
  // Every envelope the tables hold, as the stored bytes and as their secret parts.
  const forms: string[] = [];
  for (const table of tables) {
    const before = forms.length;
    const out = await stack().dynamo.client.send(new ScanCommand({ TableName: table }));
    for (const item of out.Items ?? []) {
      for (const value of Object.values(item)) {
        if (value.B === undefined) continue;
        const stored = Buffer.from(value.B);
        const envelope = parseEnvelope(stored);
        for (const bytes of [
          stored,
          ...envelope.entries.map((e) => e.wrappedKey),
          envelope.ciphertext,
        ]) {
          // An item with every encrypted field unset seals an empty body: '' is in every text.
          if (bytes.length === 0) continue;
          forms.push(bytes.toString('hex'), bytes.toString('base64'));
        }
      }
    }
    // A table the file wrote but the scan found empty would make the check vacuous.
    expect(forms.length - before, `envelopes stored in ${table}`).to.be.greaterThan(0);
  }
  // Errors of every kind the file provokes were collected (when the whole file runs).
  expect(errors.length).to.be.greaterThan(0);
  for (const error of errors) {
    expectNoLeak(error, forms);
    expectErrorFreeOf(error, PLAINTEXTS);
  }
}
