import type { ObjectCheck } from './object-shape.js';

const CHECKS = new WeakMap<object, ObjectCheck>();

/**
 * Has the global request pipe validate bodies of the decorated DTO with `check`, a hand-written
 * equivalent of its class-validator decorators, for bodies validated on every request: it must
 * accept, refuse and report exactly as the decorators do, which stay the reference (an
 * equivalence spec runs both).
 */
export function CheckBodyWith(check: ObjectCheck): ClassDecorator {
  return (target) => {
    CHECKS.set(target, check);
  };
}

/** The hand-written check of a DTO class, if it has one. */
export function bodyCheckOf(dto: object): ObjectCheck | undefined {
  return CHECKS.get(dto);
}
