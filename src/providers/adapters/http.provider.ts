import type { Logger } from 'pino';
import { ConfigError } from '../../platform/config/config.js';
import type { Metrics } from '../../platform/metrics.js';
import { Provider, ProviderError, type OutgoingMessage, type SendOutcome } from '../provider.js';

import { ConfigReader, isPlainObject } from './config-reader.js';
import { createKeepAliveAgent, formatRecipient, httpStatusError, requestText } from './http.shared.js';

// ─── the configurable JSON / form adapter ───────────────────────────────────

export type TemplateValue = string | number | boolean | null | readonly TemplateValue[] | { readonly [field: string]: TemplateValue };

/**
 * What a provider's answer code means. `accepted` is for the codes that say an earlier attempt of
 * this very message already got through (a duplicate request id after a timed-out first try).
 */
export interface CodeRule {
  readonly outcome: 'retryable' | 'permanent' | 'accepted';
  readonly reason: string;
}

export type HttpAuth =
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'bearer'; readonly token: string };

export interface HttpResponseRules {
  /** Dotted path (`status`, `data.tranId`, `results.0.id`) of the field that says whether the message was taken. */
  readonly successPath: string;
  /** The values of that field that mean accepted, compared as strings. */
  readonly successValues: readonly string[];
  readonly messageIdPath: string | null;
  readonly errorCodePath: string | null;
  readonly errorMessagePath: string | null;
}

export interface HttpSmsOptions {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** `json`: a JSON body. `form`: url-encoded fields, in the body for POST and the query string for GET. */
  readonly format: 'json' | 'form';
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: HttpAuth | null;
  /**
   * The request's fields. In strings, `{to}` `{to_msisdn}` `{to_local}` `{from}` `{text}` `{unicode}`
   * (`1`/`0`) `{id}` (our notification id) and `{callbackUrl}` are replaced; other values are sent as written.
   */
  readonly body: Readonly<Record<string, TemplateValue>>;
  readonly response: HttpResponseRules;
  /** The provider's answer codes; a code missing here fails the message as `provider_rejected`. */
  readonly errorCodes: Readonly<Record<string, CodeRule>>;
  readonly timeoutMs: number;
  readonly callbackUrl: string | null;
}

export const PLACEHOLDERS = ['to', 'to_msisdn', 'to_local', 'from', 'text', 'unicode', 'id', 'callbackUrl'] as const;
const PLACEHOLDER = /\{([A-Za-z_]+)\}/g;

function placeholderValues(message: OutgoingMessage, callback: string | null): Record<string, string> {
  return {
    to: formatRecipient(message.to, 'e164'),
    to_msisdn: formatRecipient(message.to, 'msisdn'),
    to_local: formatRecipient(message.to, 'local'),
    from: message.from,
    text: message.body,
    unicode: message.encoding === 'ucs2' ? '1' : '0',
    id: String(message.id),
    callbackUrl: callback ?? '',
  };
}

function fill(template: TemplateValue, values: Readonly<Record<string, string>>): TemplateValue {
  if (typeof template === 'string') return template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(template)) return template.map((item) => fill(item, values));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, fill(value, values)]));
  }
  return template;
}

/** The value at a dotted path of parsed JSON, or undefined. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

const scalar = (value: unknown): string | null =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;

/**
 * A configurable adapter for the JSON or form APIs of Vietnamese SMS aggregators (see the eSMS and
 * SpeedSMS presets). HTTP 429, 5xx, network errors and timeouts are retried; 401/403 fail at once as
 * `provider_auth` (our credentials; the same reason the presets give the aggregators' own auth codes,
 * so provider health can count them). A 2xx answer that is not JSON is retried: we cannot tell
 * whether the message was taken, and a duplicate SMS is better than a missing one.
 */
export class HttpSmsProvider extends Provider {
  readonly channel = 'sms' as const;
  private readonly agent = createKeepAliveAgent();

  constructor(
    readonly name: string,
    private readonly options: HttpSmsOptions,
    logger: Logger,
    metrics: Metrics,
  ) {
    super(logger, metrics);
  }

  protected async deliver(message: OutgoingMessage): Promise<SendOutcome> {
    const values = placeholderValues(message, this.options.callbackUrl);
    const fields = fill(this.options.body, values) as Record<string, TemplateValue>;
    const headers = Object.fromEntries(Object.entries(this.options.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const auth = this.options.auth;
    if (auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;

    const url = new URL(this.options.url);
    let body: string | undefined;
    if (this.options.method === 'GET') {
      for (const [key, value] of Object.entries(fields)) url.searchParams.append(key, String(value ?? ''));
    } else if (this.options.format === 'json') {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(fields);
    } else {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = new URLSearchParams(Object.entries(fields).map(([key, value]) => [key, String(value ?? '')])).toString();
    }

    const { status, text } = await requestText(this.name, url, {
      method: this.options.method,
      headers,
      body,
      timeoutMs: this.options.timeoutMs,
      agent: this.agent,
    });
    return this.interpret(status, text);
  }

  private interpret(status: number, text: string): SendOutcome {
    const byStatus = httpStatusError(this.name, status, text);
    if (byStatus) throw byStatus;

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (status >= 200 && status < 300) {
        throw new ProviderError(`${this.name}: HTTP ${status} answer is not JSON: ${text.slice(0, 200)}`, true, 'provider_bad_response');
      }
      throw new ProviderError(`${this.name}: HTTP ${status} ${text.slice(0, 200)}`, false, 'provider_rejected');
    }

    const rules = this.options.response;
    const flag = scalar(readPath(json, rules.successPath));
    if (status >= 200 && status < 300 && flag !== null && rules.successValues.includes(flag)) {
      const id = rules.messageIdPath === null ? null : scalar(readPath(json, rules.messageIdPath));
      return { status: 'sent', providerMessageId: id };
    }

    const code = rules.errorCodePath === null ? null : scalar(readPath(json, rules.errorCodePath));
    const detail = rules.errorMessagePath === null ? null : scalar(readPath(json, rules.errorMessagePath));
    const description = `${this.name}: HTTP ${status} code ${code ?? '(none)'}${detail ? ` ${detail}` : ''}`;
    const rule = code === null ? undefined : this.options.errorCodes[code];
    if (rule?.outcome === 'accepted') {
      this.logger.info({ provider: this.name, code, reason: rule.reason }, 'provider says an earlier attempt was already accepted');
      return { status: 'sent', providerMessageId: null };
    }
    if (rule) throw new ProviderError(description, rule.outcome === 'retryable', rule.reason);
    throw new ProviderError(description, false, 'provider_rejected');
  }

  override async close(): Promise<void> {
    await this.agent.close();
  }
}

// ─── options of the generic adapter ─────────────────────────────────────────

function templateValue(value: unknown, path: string): TemplateValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map((item, index) => templateValue(item, `${path}.${index}`));
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, templateValue(item, `${path}.${key}`)]));
  throw new ConfigError(`${path} must be a string, number, boolean, null, list or object`);
}

function checkPlaceholders(value: TemplateValue, path: string): void {
  if (typeof value === 'string') {
    for (const [, name] of value.matchAll(PLACEHOLDER)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(name!)) {
        throw new ConfigError(`${path} uses unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
      }
    }
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkPlaceholders(item, `${path}.${index}`);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkPlaceholders(item, `${path}.${key}`);
  }
}

export function parseCodeRules(reader: ConfigReader | null): Record<string, CodeRule> {
  if (!reader) return {};
  return Object.fromEntries(
    reader.keys().map((code) => {
      const rule = reader.object(code).allowOnly(['outcome', 'reason']);
      return [code, { outcome: rule.oneOf('outcome', ['retryable', 'permanent', 'accepted'] as const), reason: rule.string('reason') }];
    }),
  );
}

function parseAuth(config: ConfigReader | null): HttpAuth | null {
  if (!config) return null;
  if (config.oneOf('type', ['basic', 'bearer'] as const) === 'bearer') {
    config.allowOnly(['type', 'token']);
    return { type: 'bearer', token: config.string('token') };
  }
  config.allowOnly(['type', 'username', 'password']);
  return { type: 'basic', username: config.string('username'), password: config.text('password', '') };
}

/** Validates the generic adapter's options from a JSON config object, naming the bad field. */
export function parseHttpSmsOptions(raw: unknown, path = 'http'): HttpSmsOptions {
  const config = ConfigReader.of(raw, path).allowOnly([
    'url',
    'method',
    'format',
    'headers',
    'auth',
    'body',
    'response',
    'errorCodes',
    'timeoutMs',
    'callbackUrl',
  ]);
  const method = config.oneOf('method', ['GET', 'POST'] as const, 'POST');
  const format = config.oneOf('format', ['json', 'form'] as const);
  if (method === 'GET' && format !== 'form')
    throw new ConfigError(`${path}.format must be "form" with method GET (the fields go in the query string)`);

  const auth = parseAuth(config.optionalObject('auth'));

  const bodyConfig = config.object('body');
  const body = Object.fromEntries(bodyConfig.keys().map((key) => [key, templateValue(bodyConfig.value(key), `${path}.body.${key}`)]));
  if (Object.keys(body).length === 0) throw new ConfigError(`${path}.body must have at least one field`);
  for (const [key, value] of Object.entries(body)) {
    checkPlaceholders(value, `${path}.body.${key}`);
    if (format === 'form' && value !== null && typeof value === 'object') {
      throw new ConfigError(`${path}.body.${key} must be a string, number or boolean in form format`);
    }
  }

  const responseConfig = config
    .object('response')
    .allowOnly(['successPath', 'successValues', 'messageIdPath', 'errorCodePath', 'errorMessagePath']);
  return {
    url: config.url('url'),
    method,
    format,
    headers: config.stringRecord('headers'),
    auth,
    body,
    response: {
      successPath: responseConfig.string('successPath'),
      successValues: responseConfig.scalarList('successValues'),
      messageIdPath: responseConfig.optionalString('messageIdPath'),
      errorCodePath: responseConfig.optionalString('errorCodePath'),
      errorMessagePath: responseConfig.optionalString('errorMessagePath'),
    },
    errorCodes: parseCodeRules(config.optionalObject('errorCodes')),
    timeoutMs: config.integer('timeoutMs', 10_000, 100, 120_000),
    callbackUrl: config.optionalUrl('callbackUrl'),
  };
}
