import type { DbHandle } from '../platform/db/database.js';
import type { NotificationJson } from '../platform/http/schemas.js';
import type { Agency } from '../reference/agency.service.js';
import type { Procedure } from '../reference/procedure.service.js';
import type { DossierRow } from './dossier.repository.js';
import type { DossierEventType, DossierState } from './dossier.state-machine.js';
import type { SubmissionChannel } from './dossier.input.js';

/** A message still inside its hold: the desk can undo the action that created it. */
export interface HeldMessage {
  readonly id: number;
  readonly kind: string;
  readonly channel: string;
  readonly sendAfter: number;
}

export interface DossierIntake {
  readonly dossier: DossierRow;
  readonly agency: Agency;
  readonly procedure: Procedure;
  readonly submittedVia: SubmissionChannel;
  readonly now: number;
}

export interface DossierTransition {
  readonly dossier: DossierRow;
  readonly beforeState: DossierState;
  readonly eventType: DossierEventType;
  readonly seq: number;
  readonly agency: Agency;
  readonly procedure: Procedure;
  readonly now: number;
}

/**
 * What happens to the applicant's messages when a dossier changes, inside the change's own
 * transaction (so a dossier change and its messages commit together). The outbox implements it;
 * `main/` wires it in, so this module never imports the messages that depend on it.
 */
export interface DossierMessages {
  afterIntake(tx: DbHandle, intake: DossierIntake): Promise<NotificationJson[]>;
  afterTransition(tx: DbHandle, transition: DossierTransition): Promise<NotificationJson[]>;
  /** Cancels what event `seq` created and has not left yet; the number cancelled and the number already gone. */
  afterUndo(tx: DbHandle, dossier: DossierRow, seq: number, now: number): Promise<{ cancelled: number; leftAnyway: number }>;
  heldBy(db: DbHandle, dossierId: number, seq: number, now: number): Promise<HeldMessage[]>;
  list(db: DbHandle, dossierId: number): Promise<NotificationJson[]>;
}
