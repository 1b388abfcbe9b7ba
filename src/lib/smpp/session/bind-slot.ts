/** One bind kept alive: connect, bind, and after a loss reconnect with exponential backoff and jitter. */
import { connect } from 'node:net';
import type { Logger } from 'pino';
import { classifyCommandStatus } from '../error-table.js';
import { INTERFACE_VERSION_34, STATUS, commandStatusName, type BindCommand, type Pdu } from '../pdu.js';
import type { SmppClock } from '../types.js';
import { type ConnectionHandlers, SmppConnection } from './connection.js';
import type { BindRole, EsmeSessionOptions, EsmeTiming } from './types.js';

/** What a bind slot needs from its session. */
export interface BindSlotOwner {
  readonly internals: {
    readonly options: EsmeSessionOptions;
    readonly timing: EsmeTiming;
    readonly logger: Logger;
    readonly clock: SmppClock;
    readonly random: () => number;
  };
  readonly handlers: ConnectionHandlers;
  onBound(slot: BindSlot): void;
  onUnbound(slot: BindSlot, reason: string): void;
}

const BIND_COMMAND: Readonly<Record<BindRole, BindCommand>> = {
  transceiver: 'bind_transceiver',
  transmitter: 'bind_transmitter',
  receiver: 'bind_receiver',
};

export class BindSlot {
  connection: SmppConnection | null = null;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    readonly role: BindRole,
    private readonly session: BindSlotOwner,
  ) {}

  get bound(): boolean {
    return this.connection?.bound === true;
  }

  get sends(): boolean {
    return this.role !== 'receiver';
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.connection?.unbind();
  }

  private open(): void {
    const { options, timing, logger } = this.session.internals;
    const socket = connect({ host: options.host, port: options.port });
    const connection = new SmppConnection(this.role, socket, timing, this.session.internals.clock, this.session.handlers, logger);
    this.connection = connection;
    const connectTimer = setTimeout(
      () => connection.destroy(`no TCP connection within ${timing.connectTimeoutMs} ms`),
      timing.connectTimeoutMs,
    );
    socket.once('close', () => clearTimeout(connectTimer));
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      void this.bind(connection);
    });
  }

  private async bind(connection: SmppConnection): Promise<void> {
    const { options, timing, logger } = this.session.internals;
    let response: Pdu;
    try {
      response = await connection.request(
        {
          command: BIND_COMMAND[this.role],
          commandStatus: 0,
          sequenceNumber: 0,
          systemId: options.systemId,
          password: options.password,
          systemType: options.systemType,
          interfaceVersion: INTERFACE_VERSION_34,
          addrTon: 0,
          addrNpi: 0,
          addressRange: '',
        },
        timing.responseTimeoutMs,
        BIND_COMMAND[this.role],
      );
    } catch (error) {
      connection.destroy(`bind not answered: ${(error as Error).message}`);
      return;
    }
    if (response.commandStatus !== STATUS.ESME_ROK) {
      logger.error(
        {
          role: this.role,
          status: commandStatusName(response.commandStatus),
          reason: classifyCommandStatus(response.commandStatus).reason,
        },
        'SMPP bind refused',
      );
      connection.destroy(`bind refused: ${commandStatusName(response.commandStatus)}`);
      return;
    }
    if (connection.closed) return;
    connection.bound = true;
    connection.wasBound = true;
    this.attempt = 0;
    connection.startEnquireLink();
    logger.info({ role: this.role, smsc: 'systemId' in response ? response.systemId : null }, 'SMPP bound');
    this.session.onBound(this);
  }

  /** Called once per connection when it is gone. */
  onClosed(connection: SmppConnection, reason: string): void {
    if (connection !== this.connection) return;
    this.connection = null;
    if (connection.wasBound) this.session.onUnbound(this, reason);
    if (this.stopped) return;
    const { timing, random, logger } = this.session.internals;
    const exponential = Math.min(timing.reconnectMaxMs, timing.reconnectInitialMs * 2 ** this.attempt);
    const delay = Math.round(exponential * (1 - timing.reconnectJitter * random()));
    this.attempt++;
    if (!connection.wasBound)
      logger.warn({ role: this.role, reason, attempt: this.attempt, retryInMs: delay }, 'SMPP connect or bind failed');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }
}
