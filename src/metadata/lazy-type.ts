/**
 * A `type` or `items` option given as an arrow function returning the class, `() => Tree`: what a
 * class must write to name itself (or a class declared after it) under standard decorators, whose
 * expressions run while the class is still being defined (TypeScript's TS2449, "used before its
 * declaration"). Resolved once, at discovery, when every class exists.
 *
 * A class or a constructor such as `String` always has a `prototype`; an arrow function never has
 * one, which is how the two are told apart.
 */
export function resolveLazyType(hint: unknown): unknown {
  return typeof hint === 'function' && !Object.hasOwn(hint, 'prototype')
    ? (hint as () => unknown)()
    : hint;
}
