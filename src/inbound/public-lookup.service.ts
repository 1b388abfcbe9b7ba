/**
 * Status look-up on the web (/tra-cuu and `GET /api/v1/lookup/{code}`): what anyone may know about a
 * dossier, never the applicant. An address that tries too many unknown codes is refused with 429; each
 * look-up is counted for the oversight figures, with nothing personal kept. The SMS look-up is
 * lookup.service.ts.
 */
import type { Db } from '../platform/db/database.js';
import type { Config } from '../platform/config/config.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import type { AgencyService } from '../reference/agency.service.js';
import { AppError, notFound } from '../platform/errors.js';
import { findDossierByKey, receiptKey, type DossierRow } from '../dossiers/dossier.repository.js';
import { toDossierJson } from '../dossiers/dossier.view.js';
import { normalizeReceiptCode } from './mo-parser.js';
import { UnknownCodeGuard } from './web-guard.js';
import { insertWebLookup } from './web-lookup.repository.js';
import { lookupFeeVnd, WEB_LOOKUP_GATEWAY } from './lookup.billing.js';

export interface PublicStatus {
  receiptCode: string;
  state: string;
  step: string;
  dueAt: string;
  /** null for a refused, withdrawn or stopped dossier: neither on time nor late. */
  onTime: boolean | null;
  statusText: string | null;
}

/** The agency's public contact details, as a citizen needs them on /tra-cuu. */
export interface PublicAgency {
  name: string;
  province: string | null;
  address: string | null;
  hotline: string | null;
  officeHours: string | null;
  /** How waiting for a supplement counts against the deadline ('pause': not counted; 'restart': counted again from the supplement). */
  supplementRule: 'pause' | 'restart';
}

export interface PublicPage {
  status: PublicStatus;
  agency: PublicAgency;
}

function publicStatusOf(dossier: DossierRow, now: number): PublicStatus {
  const json = toDossierJson(dossier, now);
  return {
    receiptCode: json.receiptCode,
    state: json.state,
    step: json.step,
    dueAt: json.dueAt,
    onTime: json.onTime,
    statusText: json.statusText,
  };
}

export class PublicLookupService {
  private readonly guard: UnknownCodeGuard;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly agencies: AgencyService,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    this.guard = new UnknownCodeGuard(config.lookup.webUnknownCodeLimitPerHour);
  }

  /** The public status of a dossier, for a web client at `address` (the page and the JSON API share this). */
  async publicStatus(code: string, address: string): Promise<PublicStatus> {
    return publicStatusOf(await this.find(code, address), this.clock.now());
  }

  /** What /tra-cuu shows: the public status and who answers it (the agency's public contact details). */
  async publicPage(code: string, address: string): Promise<PublicPage> {
    const dossier = await this.find(code, address);
    const agency = await this.agencies.get(dossier.agency_code);
    return {
      status: publicStatusOf(dossier, this.clock.now()),
      agency: {
        name: agency?.name ?? dossier.agency_code,
        province: agency?.settings.province ?? null,
        address: agency?.settings.address ?? null,
        hotline: agency?.settings.hotline ?? null,
        officeHours: agency?.settings.officeHours ?? null,
        supplementRule: agency?.settings.supplementRule ?? 'pause',
      },
    };
  }

  /** The dossier a code names, counted as a web look-up; 429 for an address that guessed too often, 404 when none. */
  private async find(code: string, address: string): Promise<DossierRow> {
    const now = this.clock.now();
    if (!this.guard.allows(address, now)) {
      this.metrics.lookups.inc({ outcome: 'rate_limited', via: 'web' });
      throw new AppError('RATE_LIMITED', 429, 'Đã tra cứu quá nhiều mã số không có thật; vui lòng thử lại sau một giờ.');
    }
    const normalized = normalizeReceiptCode(code);
    const dossier = normalized ? await findDossierByKey(this.db, receiptKey(normalized)) : undefined;
    this.metrics.lookups.inc({ outcome: dossier ? 'found' : 'not_found', via: 'web' });
    // Kept for the oversight figures: no fee, no sender, no address, and not the text as typed (only a
    // well-formed receipt code): nothing personal, so the retention job has nothing to remove.
    await insertWebLookup(this.db, {
      code: normalized,
      dossierId: dossier?.id ?? null,
      feeVnd: lookupFeeVnd(WEB_LOOKUP_GATEWAY, this.config.lookup.feeVnd),
      at: now,
    });
    if (!dossier) {
      this.guard.miss(address, normalized ?? code, now);
      throw notFound(`hồ sơ có mã số "${code}"`);
    }
    return dossier;
  }
}
