/**
 * @module tollgate
 * The library API: price a usage and explain the price (pricing engine), run the gateway's
 * routing and pricing in-process (createGateway), or embed the HTTP gateway (createGatewayServer).
 */

export { ConfigError, loadConfigFile, parseConfig } from './config/load.js';
export type { DeploymentConfig, GatewayConfig } from './config/types.js';
export { GatewayError } from './errors.js';
export type { CallEvent } from './gateway/engine.js';
export { createGatewayServer, type Gateway, type GatewayOptions, StartupError } from './gateway/server.js';
export type { SpendEvent, SpendSink } from './ledger/spend-event.js';
export {
  type CallOptions,
  type CallResult,
  type CreateGatewayOptions,
  createGateway,
  type InProcessGateway,
  type StreamCall,
} from './library/create-gateway.js';
export * from './pricing/index.js';
