import { expect } from 'chai';
import { InvalidCursorError } from '../../src';
import type { KeyAttributeMetadata } from '../../src/metadata/entity-metadata';
import { type CursorScope, decodeCursor, encodeCursor, sealCursor } from '../../src/query/cursor';

const key = (attribute: string, keyType: 'S' | 'N' | 'B') =>
  ({ attribute, property: attribute, keyType }) as unknown as KeyAttributeMetadata;

const scope: CursorScope = {
  secret: Buffer.alloc(32, 1),
  binding: '["theorydb-read",1,"query","t","E",null,"pk",{"S":"a"},false,null]',
  entity: 'E',
  positionKeys: [key('pk', 'S'), key('sk', 'N'), key('bin', 'B')],
  segments: undefined,
};
const position = {
  kind: 'key' as const,
  key: { pk: { S: 'a' }, sk: { N: '42' }, bin: { B: new Uint8Array([0, 1, 255]) } },
};

/** A cursor with a valid tag over an arbitrary payload, as only the key holder could make. */
function signed(payload: string, version = 1, over: CursorScope = scope): string {
  return sealCursor(over, Buffer.from(payload, 'utf8'), version);
}

function refused(run: () => unknown, message: RegExp): void {
  expect(run).to.throw(InvalidCursorError, message);
  try {
    run();
  } catch (error) {
    expect((error as InvalidCursorError).code).to.equal('INVALID_CURSOR');
    expect((error as InvalidCursorError).entity).to.equal('E');
  }
}

describe('query cursors (format)', () => {
  it('round-trips a key position with S, N and B attributes', () => {
    const cursor = encodeCursor(scope, position);
    expect(decodeCursor(scope, cursor)).to.deep.equal(position);
    const forged = signed('{"k":{"pk":{"S":"a"},"sk":{"N":"42"},"bin":{"B":"AAH/"}}}');
    expect(decodeCursor(scope, forged)).to.deep.equal(position);
  });

  it('round-trips a segments position', () => {
    const segmented = { ...scope, positionKeys: [key('pk', 'S')], segments: 4 };
    const state = {
      kind: 'segments' as const,
      next: 3,
      active: [
        { segment: 2, key: { pk: { S: 'x' } } },
        { segment: 0, key: { pk: { S: 'y' } } },
      ],
    };
    expect(decodeCursor(segmented, encodeCursor(segmented, state))).to.deep.equal(state);
  });

  it('refuses each flipped bit of every byte', () => {
    const bytes = Buffer.from(encodeCursor(scope, position), 'base64url');
    for (let i = 0; i < bytes.length; i += 1) {
      for (const bit of [0x01, 0x80]) {
        const altered = Buffer.from(bytes);
        altered[i] ^= bit;
        expect(() => decodeCursor(scope, altered.toString('base64url'))).to.throw(
          InvalidCursorError,
        );
      }
    }
  });

  it('refuses non-canonical base64url that decodes to the same bytes', () => {
    const cursor = encodeCursor(scope, position);
    const bytes = Buffer.from(cursor, 'base64url');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(cursor[cursor.length - 1]);
    const sloppy = cursor.slice(0, -1) + alphabet[last | 1];
    if (sloppy !== cursor && Buffer.from(sloppy, 'base64url').equals(bytes)) {
      refused(() => decodeCursor(scope, sloppy), /not a theorydb cursor/);
    } else {
      // The length left no unused bits in the last character; the canonical check is moot here.
      expect(bytes.length % 3).to.equal(0);
    }
  });

  it('keeps key values confidential: the cursor bytes do not hold them', () => {
    const email = 'ada.lovelace@example.com';
    const secretPosition = {
      kind: 'key' as const,
      key: { pk: { S: email }, sk: { N: '42' }, bin: { B: new Uint8Array([0, 1, 255]) } },
    };
    const cursor = encodeCursor(scope, secretPosition);
    const bytes = Buffer.from(cursor, 'base64url');
    expect(bytes.includes(Buffer.from(email))).to.equal(false);
    expect(cursor).to.not.contain(Buffer.from(email).toString('base64url').slice(0, 12));
    expect(decodeCursor(scope, cursor)).to.deep.equal(secretPosition);
    expect(encodeCursor(scope, secretPosition)).to.not.equal(cursor, 'a fresh nonce each time');
  });

  it('refuses another binding, another secret and another version', () => {
    const cursor = encodeCursor(scope, position);
    refused(
      () => decodeCursor({ ...scope, binding: scope.binding.replace('"a"', '"b"') }, cursor),
      /altered or belongs to another query/,
    );
    refused(() => decodeCursor({ ...scope, secret: Buffer.alloc(32, 2) }, cursor), /altered/);
    const payload = '{"k":{"pk":{"S":"a"},"sk":{"N":"42"},"bin":{"B":"AAH/"}}}';
    refused(() => decodeCursor(scope, signed(payload, 2)), /unsupported version/);
    refused(() => decodeCursor(scope, signed(payload, 0)), /unsupported version/);
  });

  it('refuses validly signed payloads that do not fit the query', () => {
    const bad = [
      'not json',
      '[]',
      '{}',
      '{"k":{"pk":{"S":"a"},"sk":{"N":"42"}}}',
      '{"k":{"pk":{"S":"a"},"sk":{"S":"42"},"bin":{"B":"AAH/"}}}',
      '{"k":{"pk":{"S":""},"sk":{"N":"42"},"bin":{"B":"AAH/"}}}',
      '{"k":{"pk":{"S":"a"},"sk":{"N":"42"},"bin":{"B":"AAH"}}}',
      '{"k":{"pk":{"S":"a"},"sk":{"N":"42"},"bin":{"B":"AAH/"},"x":{"S":"1"}}}',
      '{"k":{"pk":{"S":"a","N":"1"},"sk":{"N":"42"},"bin":{"B":"AAH/"}}}',
      '{"k":{"pk":{"S":"a"},"sk":{"N":"42"},"bin":{"B":"AAH/"}},"n":1}',
      '{"n":0,"a":[]}',
    ];
    for (const payload of bad) {
      refused(() => decodeCursor(scope, signed(payload)), /does not fit this query/);
    }
    const segmented = { ...scope, positionKeys: [key('pk', 'S')], segments: 4 };
    const badSegments = [
      '{"n":5,"a":[]}',
      '{"n":-1,"a":[]}',
      '{"n":2,"a":[[2,{"pk":{"S":"x"}}]]}',
      '{"n":3,"a":[[1,{"pk":{"S":"x"}}],[1,{"pk":{"S":"y"}}]]}',
      '{"n":3,"a":[[1.5,{"pk":{"S":"x"}}]]}',
      '{"n":3,"a":[[1]]}',
      '{"n":3,"a":{}}',
      '{"k":{"pk":{"S":"x"}}}',
    ];
    for (const payload of badSegments) {
      refused(
        () => decodeCursor(segmented, signed(payload, 1, segmented)),
        /does not fit this query/,
      );
    }
    expect(decodeCursor(segmented, signed('{"n":4,"a":[]}', 1, segmented))).to.deep.equal({
      kind: 'segments',
      next: 4,
      active: [],
    });
  });
});
