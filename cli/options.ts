import { InvalidArgumentError } from 'commander';

/** A commander argument parser for whole numbers ≥ 1 that names the option in its error. */
export const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
  return n;
};
