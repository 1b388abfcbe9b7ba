/** The providers section of the config file (MOTCUA_CONFIG_FILE), or the env short form for one provider. */
import { Type, type Static } from '@sinclair/typebox';
import Ajv from 'ajv';
import { CARRIER_NAMES, type Carrier } from '../../lib/phone/phone.js';

export const PROVIDER_TYPES = ['sandbox', 'smpp', 'http', 'esms', 'speedsms', 'kannel', 'email', 'zalo_zns'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** The ways a notification can reach a citizen. */
export type Channel = 'sms' | 'email' | 'zalo';

export interface ProviderSpec {
  readonly name: string;
  readonly type: ProviderType;
  readonly channel: Channel;
  /** Lower is tried first; equal priorities share traffic by weight. */
  readonly priority: number;
  readonly weight: number;
  /** Only messages to these carriers (a direct connection to one network); absent = every carrier. */
  readonly carriers: readonly Carrier[] | null;
  /** Messages per second this provider accepts; 0 = no limit. */
  readonly tps: number;
  /** Protects this provider's delivery-report callback URL (aggregators that sign nothing, Kannel's dlr-url). */
  readonly receiptSecret: string | null;
  /** The adapter's own settings, validated by the adapter's parser when the provider is built. */
  readonly options: Readonly<Record<string, unknown>>;
}

const ProviderEntry = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' }),
    type: Type.Union(PROVIDER_TYPES.map((t) => Type.Literal(t))),
    channel: Type.Optional(Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Literal('zalo')])),
    priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    carriers: Type.Optional(
      Type.Array(Type.Union(Object.keys(CARRIER_NAMES).map((c) => Type.Literal(c))), { minItems: 1, uniqueItems: true }),
    ),
    tps: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    receiptSecret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

const ConfigFile = Type.Object(
  {
    publicBaseUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' })),
    providers: Type.Optional(Type.Array(ProviderEntry, { minItems: 1, maxItems: 50 })),
  },
  { additionalProperties: false },
);
type ConfigFileJson = Static<typeof ConfigFile>;

const validateFile = new Ajv.default({ allErrors: false, strict: false }).compile<ConfigFileJson>(ConfigFile);

export interface ProviderFile {
  readonly publicBaseUrl: string | null;
  readonly providers: readonly ProviderSpec[] | null;
}

/** Throws an Error whose message names the file, the field and what is wrong. */
export function parseProviderFile(text: string, path: string): ProviderFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!validateFile(json)) {
    const issue = validateFile.errors?.[0];
    const where = issue
      ? `${issue.instancePath || '/'}${issue.params && 'additionalProperty' in issue.params ? `/${String(issue.params.additionalProperty)}` : ''}`
      : '/';
    throw new Error(`${path}: ${where} ${issue?.message ?? 'is invalid'}`);
  }
  const providers = json.providers?.map(
    (entry): ProviderSpec => ({
      name: entry.name,
      type: entry.type,
      channel: entry.channel ?? (entry.type === 'email' ? 'email' : entry.type === 'zalo_zns' ? 'zalo' : 'sms'),
      priority: entry.priority ?? 1,
      weight: entry.weight ?? 100,
      carriers: (entry.carriers as Carrier[] | undefined) ?? null,
      tps: entry.tps ?? 0,
      receiptSecret: entry.receiptSecret ?? null,
      options: entry.options ?? {},
    }),
  );
  if (providers) {
    const names = new Set<string>();
    for (const spec of providers) {
      if (names.has(spec.name)) throw new Error(`${path}: provider name "${spec.name}" is used twice`);
      names.add(spec.name);
      if (spec.type === 'email' && spec.channel !== 'email')
        throw new Error(`${path}: provider "${spec.name}" is email and cannot carry ${spec.channel}`);
      if (spec.type === 'zalo_zns' && spec.channel !== 'zalo')
        throw new Error(`${path}: provider "${spec.name}" (zalo_zns) carries Zalo notifications only (channel "zalo")`);
      if (spec.type !== 'email' && spec.type !== 'sandbox' && spec.type !== 'zalo_zns' && spec.channel !== 'sms')
        throw new Error(`${path}: provider "${spec.name}" (${spec.type}) carries SMS only`);
    }
  }
  return { publicBaseUrl: json.publicBaseUrl?.replace(/\/+$/, '') ?? null, providers: providers ?? null };
}

/** A provider with the file's defaults (priority 1, weight 100, every carrier, no rate limit). */
export const providerSpec = (name: string, type: ProviderType, channel: Channel, options: Record<string, unknown> = {}): ProviderSpec => ({
  name,
  type,
  channel,
  priority: 1,
  weight: 100,
  carriers: null,
  tps: 0,
  receiptSecret: null,
  options,
});

/** The env short form: MOTCUA_SMS_PROVIDER=sandbox|smpp (+ MOTCUA_SMPP_URL). Email stays in the sandbox
 *  only while SMS does; with a real SMS provider, email needs a provider of its own in the config file. */
export function shortFormProviders(provider: string, smppUrl: string | null): ProviderSpec[] | string {
  if (provider === 'sandbox') return [providerSpec('sandbox', 'sandbox', 'sms'), providerSpec('sandbox-email', 'sandbox', 'email')];
  if (provider === 'smpp') {
    if (!smppUrl) return 'MOTCUA_SMS_PROVIDER=smpp needs MOTCUA_SMPP_URL=smpp://systemId:password@host:port';
    return [providerSpec('smpp', 'smpp', 'sms', { url: smppUrl })];
  }
  if ((PROVIDER_TYPES as readonly string[]).includes(provider)) {
    return `MOTCUA_SMS_PROVIDER=${provider} needs its settings in the config file: set MOTCUA_CONFIG_FILE to a JSON file with "providers": [{ "name": "…", "type": "${provider}", "options": {…} }]`;
  }
  return `MOTCUA_SMS_PROVIDER must be one of ${PROVIDER_TYPES.join(', ')} (got "${provider}")`;
}
