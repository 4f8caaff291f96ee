import { registerSentinel } from '../../../support/leak-guard';

// The plaintexts the retired-keys specs store in `@Encrypted` fields. Every file checks its errors
// against all of them (a superset of its own, as the single spec did), and they are registered as
// sentinels so the suite's leak guard watches them for the whole run.

export const TOKENS = Array.from({ length: 8 }, (_, i) => `retired-keys-token-${i}-Zp4wQ`);
export const RECOVERY = Array.from({ length: 8 }, (_, i) => `retired-keys-recovery-${i}-Mh2kV`);
export const CARD = 'retired-keys-card-4111-1111-1111-1111';
export const EMAIL = 'retired-keys-email-ada@example.com';
export const NOTES = Array.from({ length: 4 }, (_, i) => `retired-keys-note-${i}-Lw9cX`);
export const PLAINTEXTS = [...TOKENS, ...RECOVERY, CARD, EMAIL, ...NOTES];
for (const secret of PLAINTEXTS) registerSentinel(secret);
