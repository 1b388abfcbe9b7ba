import type { Db, DbHandle } from '../platform/db/database.js';
import { TtlCache } from '../lib/ttl-cache.js';
import { badRequest, conflict, notFound } from '../platform/errors.js';
import { findAgency, listAgencies, upsertAgency } from './agency.repository.js';
import {
  matchesReceiptPrefix,
  resolveSettings,
  settingsProblem,
  type AgencySettings,
  type AgencySettingsInput,
} from './agency.settings.js';

export interface Agency {
  readonly code: string;
  readonly name: string;
  readonly settings: AgencySettings;
  readonly storedSettings: AgencySettingsInput;
}

function toAgency(row: { code: string; name: string; settings: string }): Agency {
  const stored = JSON.parse(row.settings) as AgencySettingsInput;
  return { code: row.code, name: row.name, settings: resolveSettings(stored), storedSettings: stored };
}

/**
 * What the messages module says about the settings that concern it: which kinds an agency may switch
 * on or off, and whether a template it wants to save is usable. Wired in by `main/`, so reference data
 * does not depend on the messages that depend on it.
 */
export interface MessageSettingsPolicy {
  readonly triggerKinds: readonly string[];
  /** With the agency's settings as they will be: its encoding, and whether its messages end with the privacy link. */
  templateProblem(
    kind: string,
    template: string,
    settings: AgencySettings,
  ): { code: string; message: string; details: Record<string, unknown> } | null;
}

/** Agencies change rarely and are read on every event, so they are cached for a few seconds per process. */
export class AgencyService {
  private readonly cache: TtlCache<string, Agency | null>;
  /** Every agency's receipt prefixes, under one key. */
  private readonly prefixes: TtlCache<'owners', ReadonlyArray<{ prefix: string; agencyCode: string }>>;

  constructor(
    private readonly db: Db,
    private readonly messagePolicy: MessageSettingsPolicy,
    ttlMs = 5_000,
  ) {
    this.cache = new TtlCache(ttlMs);
    this.prefixes = new TtlCache(ttlMs);
  }

  /** Message kinds an agency may switch on or off in `settings.triggers`. */
  get triggerKinds(): readonly string[] {
    return this.messagePolicy.triggerKinds;
  }

  /** `via`: the open transaction when called inside one — on SQLite it holds the only connection, so a
   *  cache miss read through `this.db` would wait for it forever. */
  get(code: string, via: DbHandle = this.db): Promise<Agency | null> {
    return this.cache.get(code, async () => {
      const row = await findAgency(via, code);
      return row ? toAgency(row) : null;
    });
  }

  async require(code: string): Promise<Agency> {
    const agency = await this.get(code);
    if (!agency) throw notFound(`cơ quan mã "${code}"`);
    return agency;
  }

  /** The agency whose receipt prefix the code carries, or null (cached like the agencies). */
  async receiptCodeOwner(receiptCode: string): Promise<string | null> {
    const owners = await this.prefixes.get('owners', async () =>
      (await this.list()).flatMap((a) => a.settings.receiptPrefixes.map((prefix) => ({ prefix, agencyCode: a.code }))),
    );
    return owners.find((o) => matchesReceiptPrefix(receiptCode, o.prefix))?.agencyCode ?? null;
  }

  async list(): Promise<Agency[]> {
    return (await listAgencies(this.db)).map(toAgency);
  }

  async put(code: string, name: string, settings: AgencySettingsInput, now: number): Promise<{ agency: Agency; created: boolean }> {
    const problem = settingsProblem(settings);
    if (problem) throw badRequest('INVALID_SETTINGS', problem.message, { field: problem.field });
    const resolved = resolveSettings(settings);
    for (const [kind, template] of Object.entries(settings.templates ?? {})) {
      const templateError = this.messagePolicy.templateProblem(kind, template, resolved);
      if (templateError)
        throw badRequest(templateError.code, templateError.message, { field: `settings.templates.${kind}`, ...templateError.details });
    }
    this.prefixes.delete('owners');
    for (const prefix of settings.receiptPrefixes ?? []) {
      const owner = await this.receiptCodeOwner(prefix);
      if (owner !== null && owner !== code)
        throw conflict('RECEIPT_PREFIX_TAKEN', `Tiền tố mã biên nhận "${prefix}" đã thuộc cơ quan "${owner}".`, {
          field: 'settings.receiptPrefixes',
        });
    }
    const created = !(await findAgency(this.db, code));
    await upsertAgency(this.db, { code, name, settings: JSON.stringify(settings), now });
    this.cache.delete(code);
    this.prefixes.delete('owners');
    return { agency: toAgency({ code, name, settings: JSON.stringify(settings) }), created };
  }
}
