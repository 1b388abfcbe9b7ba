import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly providerSends: Counter<'provider' | 'outcome'>;
  readonly providerLatency: Histogram<'provider'>;
  readonly providerWeight: Gauge<'provider' | 'channel'>;
  readonly providerHealthy: Gauge<'provider' | 'channel'>;
  readonly providerSwitches: Counter<'channel' | 'from' | 'to' | 'reason'>;
  readonly providerSelected: Counter<'provider' | 'channel'>;
  readonly notificationsFinal: Counter<'kind' | 'status'>;
  readonly lookups: Counter<'outcome' | 'via'>;
  readonly receipts: Counter<'provider' | 'status' | 'matched'>;
  /** Dossier intakes and events per group transaction (GroupedTransactions), by pass: `plain`, or
   *  `savepoints` when a group ran again because one of them failed. */
  readonly ingestGroupSize: Histogram<'pass'>;
  /** SMPP: connections bound, submit_sm outstanding, and session events (throttled, reconnect, dead_peer, response_timeout). */
  readonly smppBound: Gauge<'provider'>;
  readonly smppWindowInUse: Gauge<'provider'>;
  readonly smppEvents: Counter<'provider' | 'event'>;
  /** 1 while the database answers, 0 during an outage episode (see platform/db/health.ts). */
  readonly databaseUp: Gauge;
  /** Zalo (issue 17): 0 while a zalo_zns provider's refresh token is refused for good (everything goes by SMS). */
  readonly zaloTokenHealthy: Gauge<'provider'>;
  /** Zalo notifications that fell back to SMS, by why (permanent answer, no delivery event in time, no token). */
  readonly zaloFallbacks: Counter<'reason'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'motcua_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'motcua_http_requests_total',
      help: 'HTTP requests',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'motcua_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    providerSends: new Counter({
      name: 'motcua_provider_sends_total',
      help: 'Provider send attempts by outcome',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    }),
    providerLatency: new Histogram({
      name: 'motcua_provider_send_seconds',
      help: 'Provider send latency',
      labelNames: ['provider'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    providerWeight: new Gauge({
      name: 'motcua_provider_weight',
      help: 'Effective routing weight (configured weight scaled by health)',
      labelNames: ['provider', 'channel'],
      registers: [registry],
    }),
    zaloTokenHealthy: new Gauge({
      name: 'motcua_zalo_token_healthy',
      help: '1 while the Zalo provider has a usable OA token; 0 = the refresh token was refused, everything falls back to SMS',
      labelNames: ['provider'],
      registers: [registry],
    }),
    zaloFallbacks: new Counter({
      name: 'motcua_zalo_fallbacks_total',
      help: 'Zalo notifications replaced by an SMS, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    providerHealthy: new Gauge({
      name: 'motcua_provider_healthy',
      help: '1 while the provider takes traffic by health, 0 when it is down to weight 0',
      labelNames: ['provider', 'channel'],
      registers: [registry],
    }),
    providerSwitches: new Counter({
      name: 'motcua_provider_switches_total',
      help: 'Routing moved off the provider(s) it would have used (failover, recovery, rate limit)',
      labelNames: ['channel', 'from', 'to', 'reason'],
      registers: [registry],
    }),
    providerSelected: new Counter({
      name: 'motcua_provider_selected_total',
      help: 'Messages routed to each provider',
      labelNames: ['provider', 'channel'],
      registers: [registry],
    }),
    notificationsFinal: new Counter({
      name: 'motcua_notifications_total',
      help: 'Notifications reaching a status',
      labelNames: ['kind', 'status'],
      registers: [registry],
    }),
    lookups: new Counter({
      name: 'motcua_lookups_total',
      help: 'Status look-ups by outcome',
      labelNames: ['outcome', 'via'],
      registers: [registry],
    }),
    ingestGroupSize: new Histogram({
      name: 'motcua_ingest_group_size',
      help: 'Dossier intakes and events per group transaction, by pass (plain; savepoints: again after one failed)',
      labelNames: ['pass'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    receipts: new Counter({
      name: 'motcua_delivery_receipts_total',
      help: 'Delivery receipts by status and whether they matched a sent message',
      labelNames: ['provider', 'status', 'matched'],
      registers: [registry],
    }),
    smppBound: new Gauge({
      name: 'motcua_smpp_bound_connections',
      help: 'SMPP connections currently bound',
      labelNames: ['provider'],
      registers: [registry],
    }),
    smppWindowInUse: new Gauge({
      name: 'motcua_smpp_window_in_use',
      help: 'submit_sm sent and not yet answered',
      labelNames: ['provider'],
      registers: [registry],
    }),
    smppEvents: new Counter({
      name: 'motcua_smpp_events_total',
      help: 'SMPP session events: throttled, reconnect, dead_peer, response_timeout',
      labelNames: ['provider', 'event'],
      registers: [registry],
    }),
    databaseUp: new Gauge({
      name: 'motcua_database_up',
      help: '1 while the database answers, 0 during an outage (unreachable, timed out, disk full, corrupt)',
      registers: [registry],
    }),
  };
}
