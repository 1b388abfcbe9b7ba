/** The SMSC simulator's options, faults, records and statistics. */
import type { Logger } from 'pino';
import type { Address } from '../pdu.js';
import type { ConcatInfo } from '../udh.js';

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'DELETED' | 'REJECTD' | 'UNKNOWN' | 'ENROUTE' | 'ACCEPTD';
export interface SmscFaults {
  /** Share of submit_sm answered ESME_RTHROTTLED, 0–100. */
  readonly throttlePercent: number;
  /** Share of submit_sm answered with `rejectStatus` (a permanent error), 0–100. */
  readonly rejectPercent: number;
  readonly rejectStatus: number;
  /** Every answer (and receipt) is held this long. */
  readonly delayMs: number;
  /** Answer nothing and send nothing: a dead peer. */
  readonly silent: boolean;
  /** Drop every connection when this many more submit_sm have arrived (the last one is recorded, not answered). */
  readonly dropAfterSubmits: number | null;
}

export interface SmscSimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** When set, binds must use this system_id (else ESME_RINVSYSID) … */
  readonly systemId?: string;
  /** … and this password (else ESME_RINVPASWD). */
  readonly password?: string;
  /** How submit_sm_resp writes message ids. Default hex (upper case). */
  readonly idStyle?: 'hex' | 'decimal';
  /** How receipts write the same id; default: as idStyle. SMSCs that mix them exist. */
  readonly receiptIdStyle?: 'hex' | 'decimal';
  /** Answer submit_sm with an empty message_id. */
  readonly emptyMessageId?: boolean;
  /** null = send no receipts. Default 100 ms. */
  readonly receiptDelayMs?: number | null;
  /** Send a receipt again this long after it was answered ESME_RX_T_APPN or its connection went
   *  unanswered, as an SMSC does; default null: each receipt is sent once. */
  readonly receiptRetryMs?: number | null;
  /** Add receipted_message_id and message_state TLVs to receipts (default true). */
  readonly receiptTlvs?: boolean;
  /** The receipt status for given destinations (international digits, no '+'). */
  readonly receiptStatByDestination?: Readonly<Record<string, ReceiptStat>>;
  /** Share of the other receipts that report UNDELIV, 0–100. */
  readonly receiptFailurePercent?: number;
  /** enquire_link sent to each bound ESME this often; 0 = never (default 30 s). */
  readonly enquireLinkMs?: number;
  /** Start the HTTP control API on this port (0 = any free one); absent = no control API. */
  readonly controlPort?: number;
  readonly faults?: Partial<SmscFaults>;
  readonly logger?: Logger;
  /** For the throttle, reject and failure shares. */
  readonly random?: () => number;
}

export interface SubmittedMessage {
  /** The id given in submit_sm_resp (even when emptyMessageId hid it). */
  readonly messageId: string;
  readonly receivedAt: number;
  readonly connectionId: number;
  readonly systemId: string;
  readonly source: Address;
  readonly destination: Address;
  readonly esmClass: number;
  readonly dataCoding: number;
  readonly registeredDelivery: number;
  /** The user data header octets when esm_class has UDHI, else null. */
  readonly udh: Buffer | null;
  readonly concat: ConcatInfo | null;
  /** The part's own text, decoded by data_coding. */
  readonly text: string;
}

export interface MoRequest {
  readonly from: string;
  readonly to: string;
  readonly text: string;
  /** Default: gsm7 when the text is GSM, else ucs2. */
  readonly encoding?: 'gsm7' | 'ucs2';
  /** Send as concatenated parts with a UDH when longer than one SMS. */
  readonly split?: boolean;
  /** How the parts are tied together: UDH with the 8-bit (default) or 16-bit reference IE, or sar_* TLVs. */
  readonly concatenation?: 'udh8' | 'udh16' | 'sar';
  /** The concatenation reference; by default a new one per MO. Repeat one to redeliver parts of an earlier MO. */
  readonly reference?: number;
  /** Send only these parts (1-based), as an SMSC redelivering one part does. */
  readonly onlyParts?: readonly number[];
  /** Send the parts last first. */
  readonly reverse?: boolean;
}

export interface SmscStats {
  readonly connections: number;
  readonly bound: number;
  readonly binds: number;
  readonly bindFailures: number;
  readonly unbinds: number;
  readonly submits: number;
  readonly accepted: number;
  readonly throttled: number;
  readonly rejected: number;
  readonly ignoredWhileSilent: number;
  /**
   * Accepted submits whose submit_sm_resp never left: not written before the connection went, or
   * written and discarded with the connection. Each is a message the ESME may send again.
   */
  readonly responsesLost: number;
  /** Accepted submits repeating an earlier accepted one (same destination, part and text): see SubmitLogEntry. */
  readonly duplicates: number;
  /** Most submit_sm received and not yet answered on one connection. */
  readonly maxOutstanding: number;
  readonly receiptsSent: number;
  /** Receipts sent again (receiptRetryMs). */
  readonly receiptsRetried: number;
  readonly moSent: number;
  readonly enquireLinksReceived: number;
  readonly enquireLinksSent: number;
  readonly enquireLinkResponses: number;
  readonly drops: number;
  /** query_sm received. */
  readonly queries: number;
  /** deliver_sm_resp command_status names and how often. */
  readonly deliverResponses: Readonly<Record<string, number>>;
}

/** What became of one submit_sm, in the simulator's per-message log. */
export interface SubmitLogEntry {
  /** 1, 2, 3… in arrival order. */
  readonly n: number;
  readonly receivedAt: number;
  readonly connectionId: number;
  /** International digits, as submitted. */
  readonly destination: string;
  readonly text: string;
  /** `sequence/total` of a concatenated part, else null. */
  readonly part: string | null;
  readonly outcome: 'accepted' | 'throttled' | 'rejected';
  /** The id answered (accepted only). */
  readonly messageId: string | null;
  /** `pending` until the answer is written; `written` once it left; `lost` when the connection went first. */
  response: 'pending' | 'written' | 'lost';
  /** For an accepted submit: how many accepted submits of the same message came before it (0 = the first). */
  readonly repeatOf: number;
}
