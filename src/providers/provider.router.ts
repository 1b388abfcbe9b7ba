import type { Provider, SendResult } from './provider.js';

/** What the router needs to know of a message to choose its provider: never the message row itself. */
export interface ProviderRoute {
  readonly channel: 'sms' | 'email';
  readonly carrier: string | null;
}

/** The provider to send through now (`waitMs` 0), or, when every candidate is at its rate limit, the one
 *  whose bucket refills first and how long until it does (nothing is reserved: pick again after waiting). */
export interface ProviderPick {
  readonly provider: Provider;
  readonly waitMs: number;
}

/** Chooses the provider for a message (the provider pool: priority, weights, health, carrier, rate limit). */
export interface ProviderRouter {
  pick(route: ProviderRoute): ProviderPick | null;
  report(provider: Provider, result: SendResult, latencyMs: number, reason?: string | null): void;
}
