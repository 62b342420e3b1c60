/**
 * @module metrics
 * The process's Prometheus registry, served at GET /metrics. Each module defines its own metrics
 * against this registry, next to the code that updates them.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tollgate_process_' });
