/**
 * What a look-up costs, and which look-ups are SMS from citizens — the one place that decides it
 * (issue 15 item 9). A citizen's SMS to the short code pays the look-up fee and is revenue; the phone
 * simulator's look-ups (staff trying the product) and look-ups on the web (/tra-cuu and its JSON API)
 * pay nothing. Web look-ups are recorded too (gateway `web`, no sender), so the oversight figures
 * count them as their own figure; the simulator's are counted nowhere.
 */
import { SIMULATOR_GATEWAY } from './simulator.js';

/** The gateway web look-ups are recorded under; also their sender (never a number, so no guard matches it). */
export const WEB_LOOKUP_GATEWAY = 'web';

/** Gateways whose look-ups are not a citizen's SMS: no fee, no revenue, no SMS guard, not in the SMS look-up count. */
export const NOT_SMS_LOOKUP_GATEWAYS: readonly string[] = Object.freeze([SIMULATOR_GATEWAY, WEB_LOOKUP_GATEWAY]);

/** Whether a look-up through `gateway` is a citizen's SMS (billed at the look-up fee). */
export function isBilledLookup(gateway: string): boolean {
  return !NOT_SMS_LOOKUP_GATEWAYS.includes(gateway);
}

/** The fee a look-up through `gateway` pays, given the configured SMS look-up fee. */
export function lookupFeeVnd(gateway: string, smsFeeVnd: number): number {
  return isBilledLookup(gateway) ? smsFeeVnd : 0;
}
