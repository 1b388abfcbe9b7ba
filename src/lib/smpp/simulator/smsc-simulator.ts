/**
 * An SMSC for development, tests, demos and benchmarks: SMPP 3.4 server side with delivery receipts,
 * MO injection and fault modes (throttling, rejections, slow or no answers, dropped connections),
 * optionally driven over a small HTTP control API.
 *
 * It records every submit_sm as received (decoded text, addresses, coding, UDH) and reassembles nothing.
 */
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { isGsmText, splitGsm, splitUcs2 } from '../../sms-text/gsm.js';
import {
  DATA_CODING,
  ESM_CLASS,
  FrameSplitter,
  NPI,
  PduDecodeError,
  STATUS,
  TLV_TAG,
  TON,
  cStringTlv,
  commandStatusName,
  decodePdu,
  encodePdu,
  isResponse,
  messageOctets,
  shortMessageDefaults,
  uint16Tlv,
  uint8Tlv,
  type Address,
  type Pdu,
  type ShortMessagePdu,
  type Tlv,
} from '../pdu.js';
import { VIETNAM_UTC_OFFSET_MINUTES } from '../receipt.js';
import { decodeText, encodeText, parseUserData, type ConcatInfo, type SmppDataCoding } from '../udh.js';

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'DELETED' | 'REJECTD' | 'UNKNOWN' | 'ENROUTE' | 'ACCEPTD';

const MESSAGE_STATE: Readonly<Record<ReceiptStat, number>> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

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
  /** Recorded submits whose submit_sm_resp was never written (connection dropped first). */
  readonly responsesLost: number;
  /** Most submit_sm received and not yet answered on one connection. */
  readonly maxOutstanding: number;
  readonly receiptsSent: number;
  readonly moSent: number;
  readonly enquireLinksReceived: number;
  readonly enquireLinksSent: number;
  readonly enquireLinkResponses: number;
  readonly drops: number;
  /** deliver_sm_resp command_status names and how often. */
  readonly deliverResponses: Readonly<Record<string, number>>;
}

export interface SmscSimulator {
  /**
   * `submit` (SubmittedMessage), `bind` (role), `unbind`, `disconnect`, `drop`, `deliver_resp` (status), `enquire_link_resp`:
   * for tests and demos to wait on.
   */
  readonly events: EventEmitter;
  readonly port: number;
  readonly controlPort: number | null;
  /** Every submit_sm recorded, in arrival order. */
  readonly submitted: readonly SubmittedMessage[];
  readonly faults: SmscFaults;
  setFaults(faults: Partial<SmscFaults>): void;
  /** Destroys every ESME connection now; returns how many. */
  dropConnections(): number;
  /** Sends an MO to a bound receiver; resolves with each part's deliver_sm_resp status (-1: connection closed first). */
  injectMo(mo: MoRequest): Promise<number[]>;
  stats(): SmscStats;
  close(): Promise<void>;
}

type Role = 'transmitter' | 'receiver' | 'transceiver';

interface SimConnection {
  readonly id: number;
  readonly socket: Socket;
  readonly splitter: FrameSplitter;
  role: Role | null;
  systemId: string;
  sequence: number;
  /** Recorded submits not yet answered, by sequence number. */
  readonly unanswered: Set<number>;
  readonly timers: Set<NodeJS.Timeout>;
  readonly awaiting: Map<number, (status: number) => void>;
  enquireTimer: NodeJS.Timeout | null;
}

/** A PDU before its sequence number is given (Omit over each member of the union). */
type WithoutSequence<P> = P extends Pdu ? Omit<P, 'sequenceNumber'> : never;
type RequestPdu = WithoutSequence<Pdu>;

interface PendingReceipt {
  readonly systemId: string;
  readonly pdu: Omit<ShortMessagePdu, 'sequenceNumber'>;
}

const ID_BASE = 0x2f000000;
/** What a request still waiting is told when its connection closes. */
const NO_ANSWER = -1;

function formatReceiptDate(epochMs: number): string {
  const local = new Date(epochMs + VIETNAM_UTC_OFFSET_MINUTES * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(local.getUTCFullYear() % 100)}${two(local.getUTCMonth() + 1)}${two(local.getUTCDate())}${two(local.getUTCHours())}${two(local.getUTCMinutes())}`;
}

export async function startSmscSimulator(options: SmscSimulatorOptions = {}): Promise<SmscSimulator> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const random = options.random ?? Math.random;
  const idStyle = options.idStyle ?? 'hex';
  const receiptIdStyle = options.receiptIdStyle ?? idStyle;
  const receiptDelayMs = options.receiptDelayMs === undefined ? 100 : options.receiptDelayMs;
  const enquireLinkMs = options.enquireLinkMs ?? 30_000;
  let faults: SmscFaults = {
    throttlePercent: 0,
    rejectPercent: 0,
    rejectStatus: STATUS.ESME_RINVDSTADR,
    delayMs: 0,
    silent: false,
    dropAfterSubmits: null,
    ...options.faults,
  };
  const events = new EventEmitter();
  const connections = new Map<number, SimConnection>();
  const submitted: SubmittedMessage[] = [];
  const pendingReceipts: PendingReceipt[] = [];
  const serverTimers = new Set<NodeJS.Timeout>();
  const deliverResponses: Record<string, number> = {};
  const counters = {
    binds: 0,
    bindFailures: 0,
    unbinds: 0,
    submits: 0,
    accepted: 0,
    throttled: 0,
    rejected: 0,
    ignoredWhileSilent: 0,
    responsesLost: 0,
    maxOutstanding: 0,
    receiptsSent: 0,
    moSent: 0,
    enquireLinksReceived: 0,
    enquireLinksSent: 0,
    enquireLinkResponses: 0,
    drops: 0,
  };
  let nextConnectionId = 1;
  let nextMessage = 0;
  let moReference = 0;
  let submitsUntilDrop = faults.dropAfterSubmits;

  const formatId = (n: number, style: 'hex' | 'decimal') =>
    style === 'hex' ? (ID_BASE + n).toString(16).toUpperCase() : String(ID_BASE + n);

  const later = (set: Set<NodeJS.Timeout>, ms: number, work: () => void) => {
    if (ms <= 0) return work();
    const timer = setTimeout(() => {
      set.delete(timer);
      work();
    }, ms);
    set.add(timer);
  };

  const send = (connection: SimConnection, pdu: Pdu) => {
    if (!connection.socket.destroyed) connection.socket.write(encodePdu(pdu));
  };

  const request = (connection: SimConnection, pdu: RequestPdu, onResponse: (status: number) => void = () => undefined) => {
    connection.sequence = connection.sequence >= 0x7fffffff ? 1 : connection.sequence + 1;
    connection.awaiting.set(connection.sequence, onResponse);
    send(connection, { ...pdu, sequenceNumber: connection.sequence } as Pdu);
  };

  const receiverFor = (systemId: string, preferred?: SimConnection): SimConnection | null => {
    if (preferred?.role === 'transceiver' && !preferred.socket.destroyed) return preferred;
    for (const connection of connections.values()) {
      if ((connection.role === 'receiver' || connection.role === 'transceiver') && connection.systemId === systemId) return connection;
    }
    return null;
  };

  const deliverReceipt = (receipt: PendingReceipt, preferred?: SimConnection) => {
    const receiver = faults.silent ? null : receiverFor(receipt.systemId, preferred);
    if (!receiver) {
      pendingReceipts.push(receipt);
      return;
    }
    counters.receiptsSent++;
    request(receiver, receipt.pdu, (status) => {
      if (status !== NO_ANSWER) countDeliverResponse(status);
    });
  };

  const countDeliverResponse = (status: number) => {
    const name = commandStatusName(status);
    deliverResponses[name] = (deliverResponses[name] ?? 0) + 1;
    events.emit('deliver_resp', status);
  };

  const flushReceipts = () => {
    for (const receipt of pendingReceipts.splice(0)) deliverReceipt(receipt);
  };

  const scheduleReceipt = (connection: SimConnection, record: SubmittedMessage, n: number) => {
    if (receiptDelayMs === null || record.registeredDelivery === 0) return;
    const stat =
      options.receiptStatByDestination?.[record.destination.addr] ??
      (random() * 100 < (options.receiptFailurePercent ?? 0) ? 'UNDELIV' : 'DELIVRD');
    const id = formatId(n, receiptIdStyle);
    const now = Date.now();
    const text = `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${formatReceiptDate(record.receivedAt)} done date:${formatReceiptDate(now + receiptDelayMs)} stat:${stat} err:${stat === 'DELIVRD' ? '000' : '001'} text:${record.text.slice(0, 20)}`;
    const tlvs: Tlv[] =
      options.receiptTlvs === false
        ? []
        : [cStringTlv(TLV_TAG.receipted_message_id, id), uint8Tlv(TLV_TAG.message_state, MESSAGE_STATE[stat])];
    const pdu: PendingReceipt['pdu'] = {
      command: 'deliver_sm',
      commandStatus: 0,
      ...shortMessageDefaults(),
      source: record.destination,
      destination: record.source,
      esmClass: ESM_CLASS.DELIVERY_RECEIPT,
      shortMessage: Buffer.from(text, 'latin1'),
      tlvs,
    };
    later(serverTimers, receiptDelayMs, () => deliverReceipt({ systemId: record.systemId, pdu }, connection));
  };

  const dropAll = (): number => {
    const count = connections.size;
    counters.drops++;
    for (const connection of connections.values()) {
      counters.responsesLost += connection.unanswered.size;
      connection.unanswered.clear();
      connection.socket.destroy();
    }
    events.emit('drop', count);
    return count;
  };

  const onSubmit = (connection: SimConnection, pdu: ShortMessagePdu) => {
    const respond = (status: number, messageId: string) => {
      connection.unanswered.delete(pdu.sequenceNumber);
      send(connection, { command: 'submit_sm_resp', commandStatus: status, sequenceNumber: pdu.sequenceNumber, messageId });
    };
    if (connection.role !== 'transmitter' && connection.role !== 'transceiver') {
      return send(connection, {
        command: 'submit_sm_resp',
        commandStatus: STATUS.ESME_RINVBNDSTS,
        sequenceNumber: pdu.sequenceNumber,
        messageId: '',
      });
    }
    counters.submits++;
    connection.unanswered.add(pdu.sequenceNumber);
    counters.maxOutstanding = Math.max(counters.maxOutstanding, connection.unanswered.size);
    if (random() * 100 < faults.throttlePercent) {
      counters.throttled++;
      return later(connection.timers, faults.delayMs, () => respond(STATUS.ESME_RTHROTTLED, ''));
    }
    if (random() * 100 < faults.rejectPercent) {
      counters.rejected++;
      return later(connection.timers, faults.delayMs, () => respond(faults.rejectStatus, ''));
    }
    const n = nextMessage++;
    const octets = messageOctets(pdu);
    const { udh, payload, concat } = parseUserData(octets, pdu.esmClass);
    const record: SubmittedMessage = {
      messageId: formatId(n, idStyle),
      receivedAt: Date.now(),
      connectionId: connection.id,
      systemId: connection.systemId,
      source: pdu.source,
      destination: pdu.destination,
      esmClass: pdu.esmClass,
      dataCoding: pdu.dataCoding,
      registeredDelivery: pdu.registeredDelivery,
      udh: udh.length > 0 ? Buffer.from(udh) : null,
      concat,
      text: decodeText(payload, pdu.dataCoding),
    };
    submitted.push(record);
    counters.accepted++;
    events.emit('submit', record);
    if (submitsUntilDrop !== null && --submitsUntilDrop <= 0) {
      submitsUntilDrop = null;
      faults = { ...faults, dropAfterSubmits: null };
      dropAll();
      return;
    }
    later(connection.timers, faults.delayMs, () => {
      respond(STATUS.ESME_ROK, options.emptyMessageId ? '' : record.messageId);
      scheduleReceipt(connection, record, n);
    });
  };

  const onBind = (connection: SimConnection, pdu: Extract<Pdu, { command: 'bind_transmitter' | 'bind_receiver' | 'bind_transceiver' }>) => {
    const respCommand = `${pdu.command}_resp` as const;
    let status: number = STATUS.ESME_ROK;
    if (connection.role !== null) status = STATUS.ESME_RALYBND;
    else if (options.systemId !== undefined && pdu.systemId !== options.systemId) status = STATUS.ESME_RINVSYSID;
    else if (options.password !== undefined && pdu.password !== options.password) status = STATUS.ESME_RINVPASWD;
    send(connection, {
      command: respCommand,
      commandStatus: status,
      sequenceNumber: pdu.sequenceNumber,
      systemId: status === STATUS.ESME_ROK ? 'MotcuaSim' : '',
      tlvs: [],
    });
    if (status !== STATUS.ESME_ROK) {
      counters.bindFailures++;
      logger.info({ connection: connection.id, status: commandStatusName(status) }, 'bind refused');
      return;
    }
    connection.role = pdu.command === 'bind_transmitter' ? 'transmitter' : pdu.command === 'bind_receiver' ? 'receiver' : 'transceiver';
    connection.systemId = pdu.systemId;
    counters.binds++;
    logger.info({ connection: connection.id, role: connection.role, systemId: pdu.systemId }, 'ESME bound');
    events.emit('bind', connection.role);
    if (enquireLinkMs > 0) {
      connection.enquireTimer = setInterval(() => {
        if (faults.silent) return;
        counters.enquireLinksSent++;
        request(connection, { command: 'enquire_link', commandStatus: 0 }, (status) => {
          if (status === NO_ANSWER) return;
          counters.enquireLinkResponses++;
          events.emit('enquire_link_resp');
        });
      }, enquireLinkMs);
    }
    if (connection.role !== 'transmitter') flushReceipts();
  };

  const onPdu = (connection: SimConnection, pdu: Pdu) => {
    if (pdu.command === 'enquire_link') counters.enquireLinksReceived++;
    if (faults.silent) {
      if (pdu.command === 'submit_sm') counters.ignoredWhileSilent++;
      return;
    }
    if (isResponse(pdu)) {
      const callback = connection.awaiting.get(pdu.sequenceNumber);
      connection.awaiting.delete(pdu.sequenceNumber);
      callback?.(pdu.commandStatus);
      return;
    }
    switch (pdu.command) {
      case 'bind_transmitter':
      case 'bind_receiver':
      case 'bind_transceiver':
        return onBind(connection, pdu);
      case 'submit_sm':
        return onSubmit(connection, pdu);
      case 'enquire_link':
        return send(connection, { command: 'enquire_link_resp', commandStatus: 0, sequenceNumber: pdu.sequenceNumber });
      case 'unbind':
        counters.unbinds++;
        events.emit('unbind');
        send(connection, { command: 'unbind_resp', commandStatus: 0, sequenceNumber: pdu.sequenceNumber });
        connection.role = null;
        connection.socket.end();
        return;
      default:
        return send(connection, { command: 'generic_nack', commandStatus: STATUS.ESME_RINVCMDID, sequenceNumber: pdu.sequenceNumber });
    }
  };

  const server: Server = createServer((socket) => {
    const connection: SimConnection = {
      id: nextConnectionId++,
      socket,
      splitter: new FrameSplitter(),
      role: null,
      systemId: '',
      sequence: 0,
      unanswered: new Set(),
      timers: new Set(),
      awaiting: new Map(),
      enquireTimer: null,
    };
    connections.set(connection.id, connection);
    socket.setNoDelay(true);
    socket.on('error', (error) => logger.debug({ connection: connection.id, err: error.message }, 'ESME socket error'));
    socket.on('close', () => {
      connections.delete(connection.id);
      for (const timer of connection.timers) clearTimeout(timer);
      if (connection.enquireTimer) clearInterval(connection.enquireTimer);
      counters.responsesLost += connection.unanswered.size;
      for (const callback of connection.awaiting.values()) callback(NO_ANSWER);
      connection.awaiting.clear();
      logger.info({ connection: connection.id }, 'ESME disconnected');
      events.emit('disconnect');
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = connection.splitter.push(chunk);
      } catch (error) {
        logger.warn({ connection: connection.id, err: (error as Error).message }, 'framing lost');
        send(connection, { command: 'generic_nack', commandStatus: STATUS.ESME_RINVCMDLEN, sequenceNumber: 0 });
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        // After a drop, what else came in the same chunk is lost with the connection.
        if (socket.destroyed) return;
        try {
          onPdu(connection, decodePdu(frame));
        } catch (error) {
          if (!(error instanceof PduDecodeError)) throw error;
          logger.warn({ connection: connection.id, err: error.message }, 'undecodable PDU');
          send(connection, { command: 'generic_nack', commandStatus: error.status, sequenceNumber: error.sequenceNumber });
        }
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });

  const injectMo = async (mo: MoRequest): Promise<number[]> => {
    const receiver = [...connections.values()].find((c) => c.role === 'receiver' || c.role === 'transceiver');
    if (!receiver) throw new Error('no ESME is bound as receiver or transceiver');
    const dataCoding: SmppDataCoding =
      (mo.encoding ?? (isGsmText(mo.text) ? 'gsm7' : 'ucs2')) === 'gsm7' ? DATA_CODING.GSM : DATA_CODING.UCS2;
    const reference = mo.reference ?? moReference++ & 0xffff;
    const all = mo.split
      ? moParts(mo.text, dataCoding, reference, mo.concatenation ?? 'udh8')
      : [{ sequence: 1, esmClass: 0, shortMessage: encodeText(mo.text, dataCoding), tlvs: [] }];
    const parts = mo.onlyParts ? all.filter((part) => mo.onlyParts!.includes(part.sequence)) : all;
    if (mo.reverse) parts.reverse();
    const statuses: number[] = [];
    for (const part of parts) {
      counters.moSent++;
      const status = await new Promise<number>((resolve) => {
        request(
          receiver,
          {
            command: 'deliver_sm',
            commandStatus: 0,
            ...shortMessageDefaults(),
            source: { ton: TON.INTERNATIONAL, npi: NPI.ISDN, addr: mo.from },
            destination: { ton: TON.UNKNOWN, npi: NPI.ISDN, addr: mo.to },
            esmClass: part.esmClass,
            dataCoding,
            shortMessage: part.shortMessage,
            tlvs: part.tlvs,
          },
          resolve,
        );
      });
      if (status !== NO_ANSWER) countDeliverResponse(status);
      statuses.push(status);
    }
    return statuses;
  };

  const stats = (): SmscStats => ({
    connections: connections.size,
    bound: [...connections.values()].filter((c) => c.role !== null).length,
    ...counters,
    deliverResponses: { ...deliverResponses },
  });

  const simulator: SmscSimulator = {
    events,
    port: (server.address() as AddressInfo).port,
    controlPort: null,
    submitted,
    get faults() {
      return faults;
    },
    setFaults(next) {
      faults = { ...faults, ...next };
      if ('dropAfterSubmits' in next) submitsUntilDrop = next.dropAfterSubmits ?? null;
      if (!faults.silent) flushReceipts();
    },
    dropConnections: dropAll,
    injectMo,
    stats,
    async close() {
      for (const timer of serverTimers) clearTimeout(timer);
      for (const connection of connections.values()) connection.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (control) await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };

  const control =
    options.controlPort === undefined ? null : await startControlApi(options.controlPort, options.host ?? '127.0.0.1', simulator, logger);
  if (control) Object.assign(simulator, { controlPort: (control.address() as AddressInfo).port });
  return simulator;
}

interface MoPartToSend {
  readonly sequence: number;
  readonly esmClass: number;
  readonly shortMessage: Buffer;
  readonly tlvs: readonly Tlv[];
}

/**
 * Concatenated MO parts as an SMSC hands them on. The part sizes are those of the 8-bit IE whatever the
 * concatenation: over SMPP the text is not packed, so the one extra octet of the 16-bit IE still fits.
 */
function moParts(text: string, dataCoding: SmppDataCoding, reference: number, concatenation: 'udh8' | 'udh16' | 'sar'): MoPartToSend[] {
  const texts = dataCoding === DATA_CODING.GSM ? splitGsm(text) : splitUcs2(text);
  if (texts.length <= 1) return [{ sequence: 1, esmClass: 0, shortMessage: encodeText(text, dataCoding), tlvs: [] }];
  return texts.map((partText, index) => {
    const sequence = index + 1;
    const payload = encodeText(partText, dataCoding);
    if (concatenation === 'sar') {
      const tlvs = [
        uint16Tlv(TLV_TAG.sar_msg_ref_num, reference),
        uint8Tlv(TLV_TAG.sar_total_segments, texts.length),
        uint8Tlv(TLV_TAG.sar_segment_seqnum, sequence),
      ];
      return { sequence, esmClass: 0, shortMessage: payload, tlvs };
    }
    const header =
      concatenation === 'udh16'
        ? Buffer.from([0x06, 0x08, 0x04, (reference >> 8) & 0xff, reference & 0xff, texts.length, sequence])
        : Buffer.from([0x05, 0x00, 0x03, reference & 0xff, texts.length, sequence]);
    return { sequence, esmClass: ESM_CLASS.UDHI, shortMessage: Buffer.concat([header, payload]), tlvs: [] };
  });
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 100_000) throw new Error('body too large');
  }
  if (body.trim() === '') return {};
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const FAULT_FIELDS = ['throttlePercent', 'rejectPercent', 'rejectStatus', 'delayMs', 'dropAfterSubmits'] as const;

function parseFaults(body: Record<string, unknown>): Partial<SmscFaults> {
  const faults: Record<string, number | boolean | null> = {};
  for (const field of FAULT_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (field === 'dropAfterSubmits' && value === null) faults[field] = null;
    else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${field} must be a number ≥ 0`);
    else faults[field] = value;
  }
  if (body.silent !== undefined) {
    if (typeof body.silent !== 'boolean') throw new Error('silent must be true or false');
    faults.silent = body.silent;
  }
  return faults as Partial<SmscFaults>;
}

/** `POST /mo` {from,to,text,encoding?,split?}, `POST /faults` {…}, `POST /drop`, `GET /stats`. */
async function startControlApi(port: number, host: string, simulator: SmscSimulator, logger: Logger): Promise<HttpServer> {
  const server = createHttpServer((request, response) => {
    void (async () => {
      try {
        const route = `${request.method} ${new URL(request.url ?? '/', 'http://x').pathname}`;
        switch (route) {
          case 'GET /stats':
            return reply(response, 200, { ...simulator.stats(), submitted: simulator.submitted.length, faults: simulator.faults });
          case 'POST /faults':
            simulator.setFaults(parseFaults(await readJson(request)));
            return reply(response, 200, simulator.faults);
          case 'POST /drop':
            return reply(response, 200, { dropped: simulator.dropConnections() });
          case 'POST /mo': {
            const body = await readJson(request);
            const { from, to, text, encoding, split } = body;
            if (typeof from !== 'string' || typeof to !== 'string' || typeof text !== 'string')
              throw new Error('from, to and text must be strings');
            if (encoding !== undefined && encoding !== 'gsm7' && encoding !== 'ucs2') throw new Error('encoding must be gsm7 or ucs2');
            const statuses = await simulator.injectMo({ from, to, text, ...(encoding ? { encoding } : {}), split: split === true });
            return reply(response, 200, { statuses: statuses.map(commandStatusName) });
          }
          default:
            return reply(response, 404, { error: 'use POST /mo, POST /faults, POST /drop or GET /stats' });
        }
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'control API request failed');
        reply(response, 400, { error: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
