/** Promise helpers shared by the product and its tests (imports nothing). */

/**
 * `promise`, or a rejection after `ms`: with `timeoutError()` when given, else
 * `Error('timed out waiting for <what>')`. The timer never outlives the race.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(typeof what === 'string' ? new Error(`timed out waiting for ${what}`) : what()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
