/** Deterministic randomness for tests and simulators, so a fault share is the same on every run. */

/** A linear congruential generator: numbers in [0, 1), the same sequence for the same seed. */
export function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
