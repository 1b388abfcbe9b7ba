/**
 * The providers file (MOTCUA_CONFIG_FILE) of the Zalo tests and benchmark: the sandbox for SMS and a
 * `zalo_zns` provider pointed at a Zalo simulator (src/main/zalo-sim/), as an operator would write it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ZaloProviderOptions {
  readonly app: { readonly appId: string; readonly appSecret: string; readonly oaSecretKey: string };
  /** The simulator's address (its OAuth endpoint is under it, as Zalo's is under oauth.zaloapp.com). */
  readonly url: string;
  readonly refreshToken: string;
  readonly templates: Record<string, { readonly templateId: string; readonly data: Record<string, string> }>;
  readonly fallbackAfterSeconds?: number;
}

/** Writes `providers.json` into `dir` and returns its path. */
export function writeZaloProvidersFile(dir: string, options: ZaloProviderOptions): string {
  const path = join(dir, 'providers.json');
  const { app, url, refreshToken, templates, fallbackAfterSeconds } = options;
  const zalo = {
    name: 'zalo',
    type: 'zalo_zns',
    channel: 'zalo',
    options: { ...app, baseUrl: url, oauthUrl: `${url}/v4/oa/access_token`, refreshToken, fallbackAfterSeconds, templates },
  };
  writeFileSync(path, JSON.stringify({ providers: [{ name: 'sandbox', type: 'sandbox' }, zalo] }));
  return path;
}
