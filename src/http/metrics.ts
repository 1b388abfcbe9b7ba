import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly providerSends: Counter<'provider' | 'outcome'>;
  readonly providerLatency: Histogram<'provider'>;
  readonly notificationsFinal: Counter<'kind' | 'status'>;
  readonly lookups: Counter<'outcome' | 'via'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'motcua_' });
  return {
    registry,
    httpRequests: new Counter({ name: 'motcua_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'motcua_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    providerSends: new Counter({ name: 'motcua_provider_sends_total', help: 'Provider send attempts by outcome', labelNames: ['provider', 'outcome'], registers: [registry] }),
    providerLatency: new Histogram({
      name: 'motcua_provider_send_seconds',
      help: 'Provider send latency',
      labelNames: ['provider'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    notificationsFinal: new Counter({ name: 'motcua_notifications_total', help: 'Notifications reaching a status', labelNames: ['kind', 'status'], registers: [registry] }),
    lookups: new Counter({ name: 'motcua_lookups_total', help: 'Status look-ups by outcome', labelNames: ['outcome', 'via'], registers: [registry] }),
  };
}
