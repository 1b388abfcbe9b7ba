/**
 * The `zalo_zns` provider (channel `zalo`): ZBS Template Message / ZNS sends to a phone number, with the
 * OA access token kept fresh by ZaloTokens. See zalo.api.ts for the documentation relied on.
 *
 * The message's body is the JSON the outbox stored as the notification's payload: `{ templateId, data }`
 * (already rendered). `tracking_id` carries our notification id, so a retry after a lost answer is the
 * same request to Zalo and matches the same notification on our side.
 */
import type { Logger } from 'pino';
import type { Agent } from 'undici';
import type { Metrics } from '../../../platform/metrics.js';
import type { Db } from '../../../platform/db/database.js';
import { ConfigError } from '../../../platform/config/config.js';
import { Provider, ProviderError, type OutgoingMessage, type SendOutcome } from '../../provider.js';
import { ConfigReader } from '../config-reader.js';
import { createKeepAliveAgent, httpStatusError, requestText } from '../http.shared.js';
import { ZALO_OAUTH_URL, ZALO_SEND_BASE_URL, ZALO_SEND_PATH, zaloPhone, type ZaloSendRequest } from './zalo.api.js';
import { ZALO_TOKEN_INVALID, zaloCodeRule } from './zalo.errors.js';
import { ZaloTokens, type ZaloTokenHealth } from './zalo.tokens.js';

export interface ZaloTemplate {
  readonly templateId: string;
  /** Template parameter → our template text (`{Mã số biên nhận}` …), rendered per notification. */
  readonly data: Readonly<Record<string, string>>;
}

export interface ZaloOptions {
  readonly baseUrl: string;
  readonly oauthUrl: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly oaSecretKey: string;
  readonly refreshToken: string;
  /** No delivery event within this long after the send: the notification goes by SMS instead. */
  readonly fallbackAfterSeconds: number;
  /** Per message kind; a kind without one goes by SMS. */
  readonly templates: Readonly<Record<string, ZaloTemplate>>;
  readonly timeoutMs: number;
  /** Connections kept open to Zalo's send API: how many sends are in flight at once (the dispatcher's
   *  concurrency bounds it too). */
  readonly connections: number;
}

/** What the outbox stores as a Zalo notification's payload and the provider sends. */
export interface ZaloPayload {
  readonly templateId: string;
  readonly data: Readonly<Record<string, string>>;
}

export function parseZaloOptions(raw: unknown, where: string): ZaloOptions {
  const config = ConfigReader.of(raw, `${where}.options`).allowOnly([
    'baseUrl',
    'oauthUrl',
    'appId',
    'appSecret',
    'oaSecretKey',
    'refreshToken',
    'fallbackAfterSeconds',
    'templates',
    'timeoutMs',
    'connections',
  ]);
  const rawTemplates = (raw as Record<string, unknown>).templates ?? {};
  if (typeof rawTemplates !== 'object' || rawTemplates === null || Array.isArray(rawTemplates)) {
    throw new ConfigError(`${where}.options.templates must be an object: { "<kind>": { "templateId": "…", "data": { … } } }`);
  }
  const templates: Record<string, ZaloTemplate> = {};
  for (const [kind, value] of Object.entries(rawTemplates as Record<string, unknown>)) {
    const path = `${where}.options.templates.${kind}`;
    const entry = ConfigReader.of(value, path).allowOnly(['templateId', 'data']);
    const templateId = (value as Record<string, unknown>).templateId;
    const id = typeof templateId === 'number' && Number.isInteger(templateId) ? String(templateId) : entry.string('templateId');
    const data = (value as Record<string, unknown>).data ?? {};
    if (typeof data !== 'object' || data === null || Array.isArray(data) || !Object.values(data).every((v) => typeof v === 'string')) {
      throw new ConfigError(`${path}.data must map each template parameter to a text`);
    }
    templates[kind] = { templateId: id, data: data as Record<string, string> };
  }
  return {
    baseUrl: config.url('baseUrl', ZALO_SEND_BASE_URL).replace(/\/+$/, ''),
    oauthUrl: config.url('oauthUrl', ZALO_OAUTH_URL),
    appId: config.string('appId'),
    appSecret: config.string('appSecret'),
    oaSecretKey: config.string('oaSecretKey'),
    refreshToken: config.string('refreshToken'),
    fallbackAfterSeconds: config.integer('fallbackAfterSeconds', 900, 10, 7 * 86_400),
    templates,
    timeoutMs: config.integer('timeoutMs', 10_000, 100, 120_000),
    connections: config.integer('connections', 50, 1, 1000),
  };
}

export class ZaloZnsProvider extends Provider {
  readonly channel = 'zalo' as const;
  readonly tokens: ZaloTokens;
  private readonly agent: Agent;

  constructor(
    readonly name: string,
    private readonly options: ZaloOptions,
    db: Db,
    logger: Logger,
    metrics: Metrics,
  ) {
    super(logger, metrics);
    this.agent = createKeepAliveAgent(options.connections);
    this.tokens = new ZaloTokens(
      db,
      {
        provider: name,
        appId: options.appId,
        appSecret: options.appSecret,
        oauthUrl: options.oauthUrl,
        seedRefreshToken: options.refreshToken,
        timeoutMs: options.timeoutMs,
      },
      this.agent,
      logger,
    );
    const report = (health: ZaloTokenHealth) => metrics.zaloTokenHealthy.set({ provider: name }, health.ok ? 1 : 0);
    report(this.tokens.health);
    this.tokens.onHealth(report);
  }

  override async credentialsRefused(): Promise<string | null> {
    const health = await this.tokens.load();
    return health.ok ? null : (health.reason ?? 'refused');
  }

  protected async deliver(message: OutgoingMessage): Promise<SendOutcome> {
    const payload = parsePayload(message.body, this.name);
    const request: ZaloSendRequest = {
      phone: zaloPhone(message.to),
      template_id: payload.templateId,
      template_data: payload.data,
      tracking_id: String(message.id),
    };
    const token = await this.tokens.accessToken();
    const first = await this.post(request, token);
    if (first.code !== ZALO_TOKEN_INVALID) return this.interpret(first);
    // Expired or revoked early: refresh (once across the cluster) and try this message once more.
    const fresh = await this.tokens.refresh(token);
    return this.interpret(await this.post(request, fresh));
  }

  private async post(
    request: ZaloSendRequest,
    token: string,
  ): Promise<{ status: number; code: string | null; json: Record<string, unknown> | null; text: string }> {
    const { status, text } = await requestText(this.name, `${this.options.baseUrl}${ZALO_SEND_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', access_token: token },
      body: JSON.stringify(request),
      timeoutMs: this.options.timeoutMs,
      agent: this.agent,
    });
    const byStatus = httpStatusError(this.name, status, text);
    if (byStatus) throw byStatus;
    let json: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
    } catch {
      json = null;
    }
    const code = json && (typeof json.error === 'number' || typeof json.error === 'string') ? String(json.error) : null;
    return { status, code, json, text };
  }

  private interpret(answer: { status: number; code: string | null; json: Record<string, unknown> | null; text: string }): SendOutcome {
    if (answer.json === null || answer.code === null) {
      throw new ProviderError(
        `${this.name}: HTTP ${answer.status} answer is not ZNS JSON: ${answer.text.slice(0, 200)}`,
        true,
        'provider_bad_response',
      );
    }
    if (answer.code === '0') {
      const data = answer.json.data as Record<string, unknown> | undefined;
      const msgId = data && (typeof data.msg_id === 'string' || typeof data.msg_id === 'number') ? String(data.msg_id) : null;
      if (!msgId) throw new ProviderError(`${this.name}: success without msg_id`, true, 'provider_bad_response');
      return { status: 'sent', providerMessageId: msgId };
    }
    const rule = zaloCodeRule(answer.code);
    const detail = typeof answer.json.message === 'string' ? ` ${answer.json.message.slice(0, 200)}` : '';
    throw new ProviderError(`${this.name}: ZNS error ${answer.code}${detail}`, rule.retryable, rule.reason);
  }

  override async close(): Promise<void> {
    await this.agent.close();
  }
}

function parsePayload(body: string, provider: string): ZaloPayload {
  try {
    const parsed = JSON.parse(body) as Partial<ZaloPayload>;
    if (typeof parsed.templateId === 'string' && typeof parsed.data === 'object' && parsed.data !== null) {
      return { templateId: parsed.templateId, data: parsed.data };
    }
  } catch {
    // falls through
  }
  throw new ProviderError(`${provider}: the notification carries no Zalo template payload`, false, 'zalo_no_template');
}
