import type { Db } from '../platform/db/database.js';
import { TtlCache } from '../lib/ttl-cache.js';
import { badRequest, conflict, notFound } from '../platform/errors.js';
import type { Principal } from '../platform/principal.js';
import { assertCanWriteAgency } from '../platform/principal.js';
import type { AgencyService } from './agency.service.js';
import type { SupplementRule } from '../lib/calendar/deadline.js';
import { findProcedure, listProcedures, upsertProcedure } from './procedure.repository.js';

export interface Procedure {
  readonly code: string;
  readonly agencyCode: string;
  readonly name: string;
  readonly processingDays: number;
  readonly dayKind: 'working' | 'calendar';
  readonly supplementRule: SupplementRule;
}

export interface ProcedureInput {
  agencyCode: string;
  name: string;
  processingDays: number;
  dayKind?: 'working' | 'calendar';
  supplementRule?: SupplementRule;
}

function toProcedure(row: {
  code: string;
  agency_code: string;
  name: string;
  processing_days: number;
  day_kind: 'working' | 'calendar';
  supplement_rule: SupplementRule;
}): Procedure {
  return {
    code: row.code,
    agencyCode: row.agency_code,
    name: row.name,
    processingDays: row.processing_days,
    dayKind: row.day_kind,
    supplementRule: row.supplement_rule,
  };
}

export class ProcedureService {
  private readonly cache: TtlCache<string, Procedure | null>;

  constructor(
    private readonly db: Db,
    private readonly agencies: AgencyService,
    ttlMs = 5_000,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  get(code: string): Promise<Procedure | null> {
    return this.cache.get(code, async () => {
      const row = await findProcedure(this.db, code);
      return row ? toProcedure(row) : null;
    });
  }

  async require(code: string): Promise<Procedure> {
    const procedure = await this.get(code);
    if (!procedure) throw notFound(`thủ tục mã "${code}"`);
    return procedure;
  }

  async list(agencyCode: string | null): Promise<Procedure[]> {
    return (await listProcedures(this.db, agencyCode)).map(toProcedure);
  }

  async put(principal: Principal, code: string, input: ProcedureInput, now: number): Promise<{ procedure: Procedure; created: boolean }> {
    assertCanWriteAgency(principal, input.agencyCode);
    const agency = await this.agencies.get(input.agencyCode);
    if (!agency) throw badRequest('UNKNOWN_AGENCY', `Không có cơ quan mã "${input.agencyCode}".`, { field: 'agencyCode' });
    const existing = await findProcedure(this.db, code);
    if (existing && existing.agency_code !== input.agencyCode) {
      assertCanWriteAgency(principal, existing.agency_code);
      throw conflict(
        'PROCEDURE_AGENCY_MISMATCH',
        `Thủ tục "${code}" thuộc cơ quan "${existing.agency_code}", không thể chuyển sang "${input.agencyCode}".`,
      );
    }
    const procedure: Procedure = {
      code,
      agencyCode: input.agencyCode,
      name: input.name,
      processingDays: input.processingDays,
      dayKind: input.dayKind ?? 'working',
      supplementRule: input.supplementRule ?? agency.settings.supplementRule,
    };
    await upsertProcedure(this.db, {
      code,
      agency_code: procedure.agencyCode,
      name: procedure.name,
      processing_days: procedure.processingDays,
      day_kind: procedure.dayKind,
      supplement_rule: procedure.supplementRule,
      now,
    });
    this.cache.delete(code);
    return { procedure, created: !existing };
  }
}
