import { expect } from 'chai';
import fc from 'fast-check';
import { ExpressionContext } from '../../src/expressions/expression-context';
import { renderUpdate } from '../../src/update/render-update';

describe('renderUpdate', () => {
  it('renders SET, REMOVE and ADD clauses with every name and value behind a placeholder', () => {
    const expressions = new ExpressionContext();
    const rendered = renderUpdate(
      [
        { kind: 'set', attribute: 'name', value: { S: 'Ada' } },
        { kind: 'remove', attribute: 'status' },
        { kind: 'add', attribute: 'count', value: { N: '1' } },
        { kind: 'append', attribute: 'data', value: { L: [{ S: 'x' }] } },
        { kind: 'remove', attribute: 'a.b' },
      ],
      expressions,
    );
    expect(rendered).to.equal(
      'SET #n0 = :v0, #n3 = list_append(if_not_exists(#n3, :v2), :v3) REMOVE #n1, #n4 ADD #n2 :v1',
    );
    expect(expressions.attributes()).to.deep.equal({
      ExpressionAttributeNames: {
        '#n0': 'name',
        '#n1': 'status',
        '#n2': 'count',
        '#n3': 'data',
        '#n4': 'a.b',
      },
      ExpressionAttributeValues: {
        ':v0': { S: 'Ada' },
        ':v1': { N: '1' },
        ':v2': { L: [] },
        ':v3': { L: [{ S: 'x' }] },
      },
    });
  });

  it('leaves out empty clauses', () => {
    expect(renderUpdate([{ kind: 'remove', attribute: 'x' }], new ExpressionContext())).to.equal(
      'REMOVE #n0',
    );
    expect(renderUpdate([], new ExpressionContext())).to.equal('');
  });

  it('never puts an attribute name or value in the expression itself (property)', () => {
    const action = fc.oneof(
      fc.record({
        kind: fc.constantFrom('set' as const, 'add' as const, 'append' as const),
        attribute: fc.string({ minLength: 1 }),
        value: fc.string().map((s) => ({ S: s })),
      }),
      fc.record({ kind: fc.constant('remove' as const), attribute: fc.string({ minLength: 1 }) }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(action, { selector: (a) => a.attribute, minLength: 1 }),
        (actions) => {
          const expressions = new ExpressionContext();
          const rendered = renderUpdate(actions, expressions);
          const stripped = rendered.replace(
            /#n\d+|:v\d+|list_append|if_not_exists|SET|REMOVE|ADD/g,
            '',
          );
          expect(stripped).to.match(/^[\s,=()]*$/);
          const { ExpressionAttributeNames = {}, ExpressionAttributeValues = {} } =
            expressions.attributes();
          for (const placeholder of rendered.match(/#n\d+|:v\d+/g) ?? []) {
            expect({ ...ExpressionAttributeNames, ...ExpressionAttributeValues }).to.have.property(
              placeholder,
            );
          }
          expect(Object.values(ExpressionAttributeNames).sort()).to.deep.equal(
            actions.map((a) => a.attribute).sort(),
          );
        },
      ),
    );
  });
});
