/**
 * An SMSC for development, tests, demos and benchmarks: SMPP 3.4 server side with delivery receipts,
 * MO injection and fault modes (throttling, rejections, slow or no answers, dropped connections),
 * optionally driven over a small HTTP control API (control-api.ts).
 *
 * It records every submit_sm as received and reassembles nothing; its per-message submit log says what
 * became of each and whether its answer really left, so duplicates and lost answers are counted, not guessed.
 */
import { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import {
  PduDecodeError,
  STATUS,
  commandStatusName,
  decodePdu,
  isResponse,
  messageOctets,
  type BindPdu,
  type Pdu,
  type QuerySmPdu,
  type ShortMessagePdu,
} from '../pdu.js';
import { decodeText, parseUserData } from '../udh.js';
import { startControlApi } from './control-api.js';
import { NO_ANSWER, SimConnection } from './connection.js';
import { STAT_STATE, formatAbsoluteTime, moPartsFor, receiptPdu } from './outbound.js';
import { ReceiptDesk } from './receipts.js';
import { SubmitLog } from './submit-log.js';
import type { MoRequest, ReceiptStat, SmscFaults, SmscSimulatorOptions, SmscStats, SubmitLogEntry, SubmittedMessage } from './types.js';

export type * from './types.js';

const ID_BASE = 0x2f000000;

export class SmscSimulator {
  /**
   * `submit` (SubmittedMessage), `bind` (role), `unbind`, `disconnect`, `drop`, `deliver_resp` (status), `enquire_link_resp`:
   * for tests and demos to wait on.
   */
  readonly events = new EventEmitter();
  /** Every submit_sm accepted, in arrival order. */
  readonly submitted: SubmittedMessage[] = [];
  private readonly log = new SubmitLog();
  port = 0;
  controlPort: number | null = null;
  private currentFaults: SmscFaults;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly connections = new Map<number, SimConnection>();
  private readonly receipts: ReceiptDesk;
  private readonly deliverResponses: Record<string, number> = {};
  /** What query_sm answers: each accepted message's state (ENROUTE until its receipt is decided), by id. */
  private readonly states = new Map<string, { stat: ReceiptStat; at: number; source: string }>();
  private readonly counters = {
    binds: 0,
    bindFailures: 0,
    unbinds: 0,
    submits: 0,
    accepted: 0,
    throttled: 0,
    rejected: 0,
    ignoredWhileSilent: 0,
    maxOutstanding: 0,
    moSent: 0,
    enquireLinksReceived: 0,
    enquireLinksSent: 0,
    enquireLinkResponses: 0,
    drops: 0,
    queries: 0,
  };
  private nextConnectionId = 1;
  private nextMessage = 0;
  private moReference = 0;
  private submitsUntilDrop: number | null;
  private readonly server: Server;
  private control: HttpServer | null = null;

  constructor(private readonly options: SmscSimulatorOptions = {}) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.receipts = new ReceiptDesk(
      this.connections,
      () => this.currentFaults.silent,
      (status) => this.countDeliverResponse(status),
      options.receiptRetryMs ?? null,
    );
    this.random = options.random ?? Math.random;
    this.currentFaults = {
      throttlePercent: 0,
      rejectPercent: 0,
      rejectStatus: STATUS.ESME_RINVDSTADR,
      delayMs: 0,
      silent: false,
      dropAfterSubmits: null,
      ...options.faults,
    };
    this.submitsUntilDrop = this.currentFaults.dropAfterSubmits;
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens (and starts the control API when asked). */
  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    if (this.options.controlPort !== undefined) {
      this.control = await startControlApi(this.options.controlPort, this.options.host ?? '127.0.0.1', this, this.logger);
      this.controlPort = (this.control.address() as AddressInfo).port;
    }
    return this;
  }

  /** Every submit_sm received (accepted, throttled or rejected) and what became of its answer. */
  get submitLog(): readonly SubmitLogEntry[] {
    return this.log.entries;
  }

  get faults(): SmscFaults {
    return this.currentFaults;
  }

  setFaults(next: Partial<SmscFaults>): void {
    this.currentFaults = { ...this.currentFaults, ...next };
    if ('dropAfterSubmits' in next) this.submitsUntilDrop = next.dropAfterSubmits ?? null;
    if (!this.currentFaults.silent) this.receipts.flush();
  }

  /**
   * Sets what query_sm answers for a message id (as submit_sm_resp gave it): the control that makes a
   * message delivered, undeliverable or unknown to the SMSC without sending a receipt. False when the
   * simulator never accepted that id.
   */
  setMessageState(messageId: string, stat: ReceiptStat): boolean {
    const state = this.states.get(messageId);
    if (!state) return false;
    this.states.set(messageId, { ...state, stat, at: Date.now() });
    return true;
  }

  /** Destroys every ESME connection now; returns how many. */
  dropConnections(): number {
    const count = this.connections.size;
    this.counters.drops++;
    for (const connection of this.connections.values()) connection.socket.destroy();
    this.events.emit('drop', count);
    return count;
  }

  stats(): SmscStats {
    return {
      connections: this.connections.size,
      bound: [...this.connections.values()].filter((c) => c.role !== null).length,
      ...this.counters,
      receiptsSent: this.receipts.sent,
      receiptsRetried: this.receipts.retried,
      responsesLost: this.log.responsesLost,
      duplicates: this.log.duplicates,
      deliverResponses: { ...this.deliverResponses },
    };
  }

  async close(): Promise<void> {
    this.receipts.close();
    for (const connection of this.connections.values()) connection.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const control = this.control;
    if (control) await new Promise<void>((resolve) => control.close(() => resolve()));
  }

  /** Sends an MO to a bound receiver; resolves with each part's deliver_sm_resp status (-1: connection closed first). */
  async injectMo(mo: MoRequest): Promise<number[]> {
    const receiver = [...this.connections.values()].find((c) => c.role === 'receiver' || c.role === 'transceiver');
    if (!receiver) throw new Error('no ESME is bound as receiver or transceiver');
    const parts = moPartsFor(mo, mo.reference ?? this.moReference++ & 0xffff);
    const statuses: number[] = [];
    for (const part of parts) {
      this.counters.moSent++;
      const status = await new Promise<number>((resolve) => {
        receiver.request(part.pdu, resolve);
      });
      if (status !== NO_ANSWER) this.countDeliverResponse(status);
      statuses.push(status);
    }
    return statuses;
  }

  // ── connections ──

  private accept(socket: Socket): void {
    const connection = new SimConnection(this.nextConnectionId++, socket);
    this.connections.set(connection.id, connection);
    socket.setNoDelay(true);
    socket.on('error', (error) => this.logger.debug({ connection: connection.id, err: error.message }, 'ESME socket error'));
    socket.on('close', () => this.onClosed(connection));
    socket.on('data', (chunk: Buffer) => this.onData(connection, chunk));
  }

  private onClosed(connection: SimConnection): void {
    this.connections.delete(connection.id);
    for (const entry of connection.closed()) this.log.lost(entry);
    this.logger.info({ connection: connection.id }, 'ESME disconnected');
    this.events.emit('disconnect');
  }

  private onData(connection: SimConnection, chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = connection.splitter.push(chunk);
    } catch (error) {
      this.logger.warn({ connection: connection.id, err: (error as Error).message }, 'framing lost');
      connection.send({ command: 'generic_nack', commandStatus: STATUS.ESME_RINVCMDLEN, sequenceNumber: 0 });
      connection.socket.destroy();
      return;
    }
    for (const frame of frames) {
      // After a drop, what else came in the same chunk is lost with the connection.
      if (connection.socket.destroyed) return;
      try {
        this.onPdu(connection, decodePdu(frame));
      } catch (error) {
        if (!(error instanceof PduDecodeError)) throw error;
        this.logger.warn({ connection: connection.id, err: error.message }, 'undecodable PDU');
        connection.send({ command: 'generic_nack', commandStatus: error.status, sequenceNumber: error.sequenceNumber });
      }
    }
  }

  // ── submits ──

  private formatId(n: number, style: 'hex' | 'decimal'): string {
    return style === 'hex' ? (ID_BASE + n).toString(16).toUpperCase() : String(ID_BASE + n);
  }

  private logSubmit(connection: SimConnection, pdu: ShortMessagePdu, outcome: SubmitLogEntry['outcome'], record?: SubmittedMessage): void {
    let concat = record?.concat ?? null;
    let text = record?.text ?? '';
    if (!record) {
      const parsed = parseUserData(messageOctets(pdu), pdu.esmClass);
      concat = parsed.concat;
      text = decodeText(parsed.payload, pdu.dataCoding);
    }
    const part = concat ? `${concat.sequence}/${concat.total}` : null;
    const entry = this.log.add({
      connectionId: connection.id,
      destination: pdu.destination.addr,
      text,
      part,
      outcome,
      messageId: record?.messageId ?? null,
    });
    connection.unanswered.set(pdu.sequenceNumber, entry);
    this.counters.maxOutstanding = Math.max(this.counters.maxOutstanding, connection.unanswered.size);
  }

  private respondToSubmit(connection: SimConnection, sequenceNumber: number, status: number, messageId: string): void {
    const entry = connection.unanswered.get(sequenceNumber);
    connection.unanswered.delete(sequenceNumber);
    connection.send({ command: 'submit_sm_resp', commandStatus: status, sequenceNumber, messageId }, (written) => {
      if (entry && written) this.log.written(entry);
      else if (entry) this.log.lost(entry);
    });
  }

  private onSubmit(connection: SimConnection, pdu: ShortMessagePdu): void {
    if (connection.role !== 'transmitter' && connection.role !== 'transceiver') {
      const refused = { command: 'submit_sm_resp', commandStatus: STATUS.ESME_RINVBNDSTS, messageId: '' } as const;
      connection.send({ ...refused, sequenceNumber: pdu.sequenceNumber });
      return;
    }
    this.counters.submits++;
    const faults = this.currentFaults;
    if (this.random() * 100 < faults.throttlePercent) {
      this.counters.throttled++;
      this.logSubmit(connection, pdu, 'throttled');
      connection.later(faults.delayMs, () => this.respondToSubmit(connection, pdu.sequenceNumber, STATUS.ESME_RTHROTTLED, ''));
      return;
    }
    if (this.random() * 100 < faults.rejectPercent) {
      this.counters.rejected++;
      this.logSubmit(connection, pdu, 'rejected');
      connection.later(faults.delayMs, () => this.respondToSubmit(connection, pdu.sequenceNumber, faults.rejectStatus, ''));
      return;
    }
    const n = this.nextMessage++;
    const { udh, payload, concat } = parseUserData(messageOctets(pdu), pdu.esmClass);
    const record: SubmittedMessage = {
      messageId: this.formatId(n, this.options.idStyle ?? 'hex'),
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
    this.submitted.push(record);
    this.states.set(record.messageId, { stat: 'ENROUTE', at: record.receivedAt, source: record.source.addr });
    this.logSubmit(connection, pdu, 'accepted', record);
    this.counters.accepted++;
    this.events.emit('submit', record);
    if (this.submitsUntilDrop !== null && --this.submitsUntilDrop <= 0) {
      this.submitsUntilDrop = null;
      this.currentFaults = { ...this.currentFaults, dropAfterSubmits: null };
      this.dropConnections();
      return;
    }
    connection.later(faults.delayMs, () => {
      this.respondToSubmit(connection, pdu.sequenceNumber, STATUS.ESME_ROK, this.options.emptyMessageId ? '' : record.messageId);
      this.scheduleReceipt(connection, record, n);
    });
  }

  // ── receipts ──

  private scheduleReceipt(connection: SimConnection, record: SubmittedMessage, n: number): void {
    const delay = this.options.receiptDelayMs === undefined ? 100 : this.options.receiptDelayMs;
    if (delay === null || record.registeredDelivery === 0) return;
    const stat =
      this.options.receiptStatByDestination?.[record.destination.addr] ??
      (this.random() * 100 < (this.options.receiptFailurePercent ?? 0) ? 'UNDELIV' : 'DELIVRD');
    this.states.set(record.messageId, { stat, at: Date.now() + delay, source: record.source.addr });
    const id = this.formatId(n, this.options.receiptIdStyle ?? this.options.idStyle ?? 'hex');
    const pdu = receiptPdu(record, id, stat, Date.now() + delay, this.options.receiptTlvs !== false);
    this.receipts.schedule(record.systemId, pdu, delay, connection);
  }

  private countDeliverResponse(status: number): void {
    const name = commandStatusName(status);
    this.deliverResponses[name] = (this.deliverResponses[name] ?? 0) + 1;
    this.events.emit('deliver_resp', status);
  }

  // ── queries ──

  /** query_sm: answered from the simulator's own state; an unknown id or another source is ESME_RQUERYFAIL. */
  private onQuery(connection: SimConnection, pdu: QuerySmPdu): void {
    this.counters.queries++;
    const answer = (commandStatus: number, messageState = 0, finalDate = '') =>
      connection.send({
        command: 'query_sm_resp',
        commandStatus,
        sequenceNumber: pdu.sequenceNumber,
        messageId: commandStatus === STATUS.ESME_ROK ? pdu.messageId : '',
        finalDate,
        messageState,
        errorCode: 0,
      });
    const state = this.states.get(pdu.messageId);
    if (connection.role !== 'transmitter' && connection.role !== 'transceiver') answer(STATUS.ESME_RINVBNDSTS);
    else if (!state || state.source !== pdu.source.addr) answer(STATUS.ESME_RQUERYFAIL);
    else {
      const final = state.stat !== 'ENROUTE' && state.stat !== 'ACCEPTD';
      answer(STATUS.ESME_ROK, STAT_STATE[state.stat], final ? formatAbsoluteTime(state.at) : '');
    }
  }

  // ── what the ESME sends ──

  private onBind(connection: SimConnection, pdu: BindPdu): void {
    let status: number = STATUS.ESME_ROK;
    if (connection.role !== null) status = STATUS.ESME_RALYBND;
    else if (this.options.systemId !== undefined && pdu.systemId !== this.options.systemId) status = STATUS.ESME_RINVSYSID;
    else if (this.options.password !== undefined && pdu.password !== this.options.password) status = STATUS.ESME_RINVPASWD;
    connection.send({
      command: `${pdu.command}_resp`,
      commandStatus: status,
      sequenceNumber: pdu.sequenceNumber,
      systemId: status === STATUS.ESME_ROK ? 'MotcuaSim' : '',
      tlvs: [],
    });
    if (status !== STATUS.ESME_ROK) {
      this.counters.bindFailures++;
      this.logger.info({ connection: connection.id, status: commandStatusName(status) }, 'bind refused');
      return;
    }
    connection.role = pdu.command === 'bind_transmitter' ? 'transmitter' : pdu.command === 'bind_receiver' ? 'receiver' : 'transceiver';
    connection.systemId = pdu.systemId;
    this.counters.binds++;
    this.logger.info({ connection: connection.id, role: connection.role, systemId: pdu.systemId }, 'ESME bound');
    this.events.emit('bind', connection.role);
    const enquireLinkMs = this.options.enquireLinkMs ?? 30_000;
    if (enquireLinkMs > 0) {
      connection.enquireTimer = setInterval(() => {
        if (this.currentFaults.silent) return;
        this.counters.enquireLinksSent++;
        connection.request({ command: 'enquire_link', commandStatus: 0 }, (status) => {
          if (status === NO_ANSWER) return;
          this.counters.enquireLinkResponses++;
          this.events.emit('enquire_link_resp');
        });
      }, enquireLinkMs);
    }
    if (connection.role !== 'transmitter') this.receipts.flush();
  }

  private onPdu(connection: SimConnection, pdu: Pdu): void {
    if (pdu.command === 'enquire_link') this.counters.enquireLinksReceived++;
    if (this.currentFaults.silent) {
      if (pdu.command === 'submit_sm') this.counters.ignoredWhileSilent++;
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
        this.onBind(connection, pdu);
        return;
      case 'submit_sm':
        this.onSubmit(connection, pdu);
        return;
      case 'query_sm':
        this.onQuery(connection, pdu);
        return;
      case 'enquire_link':
        connection.send({ command: 'enquire_link_resp', commandStatus: 0, sequenceNumber: pdu.sequenceNumber });
        return;
      case 'unbind':
        this.counters.unbinds++;
        this.events.emit('unbind');
        connection.send({ command: 'unbind_resp', commandStatus: 0, sequenceNumber: pdu.sequenceNumber });
        connection.role = null;
        connection.socket.end();
        return;
      default:
        connection.send({ command: 'generic_nack', commandStatus: STATUS.ESME_RINVCMDID, sequenceNumber: pdu.sequenceNumber });
        return;
    }
  }
}

/** Starts a simulator (and its control API when `controlPort` is given). */
export function startSmscSimulator(options: SmscSimulatorOptions = {}): Promise<SmscSimulator> {
  return new SmscSimulator(options).listen();
}
