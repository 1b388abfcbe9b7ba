/**
 * Zalo in the demo (`npm start`, `serve --demo`): unless a `zalo_zns` provider is configured, an in-process
 * Zalo simulator (the one `motcua zalo-sim` runs, src/main/zalo-sim/) stands in for Zalo, and the demo's
 * local governments of Nha Trang send by Zalo first (`channels: ["zalo", "sms"]`). Some of the demo's
 * phones are not on Zalo or have blocked the OA (→ an SMS at once), one never reports a delivery (→ an SMS
 * after a minute), the others get their delivery event from the simulator through the product's own
 * webhook, signed as Zalo signs it. /giam-sat then shows messages, costs and reach split by channel.
 */
import type { Config } from '../../platform/config/config.js';
import { providerSpec } from '../../platform/config/provider-file.js';
import { startZaloSimulator, type ZaloSimulator } from '../zalo-sim/zalo-sim.js';

/** The demo agencies that list Zalo first (demo.data.ts). */
export const DEMO_ZALO_AGENCIES: readonly string[] = ['UBND-NT', 'PX-LOCTHO'];

const APP = { appId: 'demo-zalo-app', appSecret: 'demo-zalo-app-secret', oaSecretKey: 'demo-zalo-oa-secret' };
const REFRESH_TOKEN = 'demo-zalo-refresh-token';
/** The demo's phones (demo.data.ts) as Zalo would answer them. */
const NOT_ON_ZALO = ['84905123456'];
const BLOCKED_THE_OA = ['84868111222'];
const NO_DELIVERY_EVENT = ['84936222333'];

export interface DemoZalo {
  readonly config: Config;
  /** Null when a real zalo_zns provider is configured (nothing to stand in for). */
  readonly simulator: ZaloSimulator | null;
}

/** The configuration with a Zalo provider served by a simulator started here (127.0.0.1, a free port). */
export async function withDemoZalo(config: Config): Promise<DemoZalo> {
  if (config.sms.providers.some((p) => p.type === 'zalo_zns')) return { config, simulator: null };
  // Its delivery events go to the product's webhook once the app listens (setWebhookUrl).
  const simulator = await startZaloSimulator({ ...APP, refreshToken: REFRESH_TOKEN, deliveryDelayMs: 1500, webhookUrl: null });
  for (const phone of NOT_ON_ZALO) simulator.setPhone(phone, { error: -118 });
  for (const phone of BLOCKED_THE_OA) simulator.setPhone(phone, { error: -139 });
  for (const phone of NO_DELIVERY_EVENT) simulator.setPhone(phone, { noDelivery: true });
  const zalo = providerSpec('zalo', 'zalo_zns', 'zalo', {
    ...APP,
    baseUrl: simulator.url,
    oauthUrl: simulator.oauthUrl,
    refreshToken: REFRESH_TOKEN,
    fallbackAfterSeconds: 60,
    templates: {
      result_ready: { templateId: '301234', data: { ma_ho_so: '{Mã số biên nhận}', co_quan: '{Tên cơ quan}' } },
      supplement_required: { templateId: '301235', data: { ma_ho_so: '{Mã số biên nhận}', co_quan: '{Tên cơ quan}' } },
    },
  });
  return { config: { ...config, sms: { ...config.sms, providers: [...config.sms.providers, zalo] } }, simulator };
}
