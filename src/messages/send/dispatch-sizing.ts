/**
 * How many messages the dispatcher claims at once and keeps in flight, when the operator has not said
 * (MOTCUA_DISPATCH_BATCH, MOTCUA_DISPATCH_CONCURRENCY). With SMPP the provider's window is the limit that
 * matters: fewer sends in flight than the window leave the bind idle between responses, more only queue
 * in the session. So the concurrency is the sum of the windows of the providers that share the traffic
 * (ProviderPool.inFlightLimits: each channel's first priority) and a batch holds two windows, so the next sends are claimed while the last of a batch are answered.
 * Providers without a window (the HTTP APIs, e-mail, Zalo) keep the general defaults. Explicit settings
 * always win. Measured: `npm run bench -- smpp` with a window of 100 (see the README).
 */

/** Without a window to go by. */
export const DEFAULT_CONCURRENCY = 50;
export const DEFAULT_BATCH = 100;
const MAX_CONCURRENCY = 1000;
const MAX_BATCH = 5000;

export interface DispatchSizing {
  readonly concurrency: number;
  readonly batchSize: number;
}

export function dispatchSizing(
  explicit: { readonly concurrency: number | null; readonly batchSize: number | null },
  windows: readonly number[],
): DispatchSizing {
  const windowSum = windows.reduce((sum, w) => sum + w, 0);
  const concurrency = explicit.concurrency ?? Math.min(MAX_CONCURRENCY, Math.max(DEFAULT_CONCURRENCY, windowSum));
  const batchSize = explicit.batchSize ?? Math.min(MAX_BATCH, Math.max(DEFAULT_BATCH, 2 * concurrency));
  return { concurrency, batchSize };
}
