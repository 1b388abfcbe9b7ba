/** The simulator's HTTP control API: `POST /mo`, `POST /faults`, `POST /state` (what query_sm answers), `POST /drop`, `GET /stats`, `GET /submits`. */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { commandStatusName } from '../pdu.js';
import type { MoRequest, ReceiptStat, SmscFaults, SmscStats, SubmitLogEntry } from './types.js';

/** What the control API drives (the SmscSimulator class). */
export interface ControlledSimulator {
  readonly submitted: { readonly length: number };
  readonly submitLog: readonly SubmitLogEntry[];
  readonly faults: SmscFaults;
  setFaults(faults: Partial<SmscFaults>): void;
  dropConnections(): number;
  setMessageState(messageId: string, stat: ReceiptStat): boolean;
  injectMo(mo: MoRequest): Promise<number[]>;
  stats(): SmscStats;
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

const STATS: readonly ReceiptStat[] = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'DELETED', 'REJECTD', 'UNKNOWN', 'ENROUTE', 'ACCEPTD'];

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

/**
 * `POST /mo` {from,to,text,encoding?,split?}, `POST /faults` {…}, `POST /drop`, `GET /stats`,
 * `GET /submits?from=N&limit=M`: the per-message submit log from entry N (1-based), at most M (1000) entries.
 */
export async function startControlApi(port: number, host: string, simulator: ControlledSimulator, logger: Logger): Promise<HttpServer> {
  const server = createHttpServer((request, response) => {
    void (async () => {
      try {
        const url = new URL(request.url ?? '/', 'http://x');
        const route = `${request.method} ${url.pathname}`;
        switch (route) {
          case 'GET /stats':
            return reply(response, 200, { ...simulator.stats(), submitted: simulator.submitted.length, faults: simulator.faults });
          case 'GET /submits': {
            const from = Math.max(1, Number(url.searchParams.get('from') ?? 1) || 1);
            const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 1000) || 1000));
            const entries = simulator.submitLog.slice(from - 1, from - 1 + limit);
            return reply(response, 200, { total: simulator.submitLog.length, entries });
          }
          case 'POST /faults':
            simulator.setFaults(parseFaults(await readJson(request)));
            return reply(response, 200, simulator.faults);
          case 'POST /state': {
            const { messageId, state } = await readJson(request);
            if (typeof messageId !== 'string') throw new Error('messageId must be a string');
            if (!STATS.includes(state as ReceiptStat)) throw new Error(`state must be one of ${STATS.join(', ')}`);
            if (!simulator.setMessageState(messageId, state as ReceiptStat)) return reply(response, 404, { error: 'no such message id' });
            return reply(response, 200, { messageId, state });
          }
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
            return reply(response, 404, { error: 'use POST /mo, POST /faults, POST /state, POST /drop, GET /stats or GET /submits' });
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
