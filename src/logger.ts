/**
 * @module logger
 * One pino logger for the process. Level from --detailed_debug, TOLLGATE_LOG or LITELLM_LOG
 * (DEBUG, INFO, WARNING/WARN, ERROR). Secrets are redacted by path as a second line of defence;
 * the first is never passing them to the logger.
 */
import pino from 'pino';

const LEVELS: Record<string, pino.Level> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  WARN: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
  TRACE: 'trace',
};

export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): pino.Level {
  const raw = (env.TOLLGATE_LOG ?? env.LITELLM_LOG ?? 'INFO').toUpperCase();
  return LEVELS[raw] ?? 'info';
}

export const logger = pino({
  level: levelFromEnv(),
  base: undefined,
  redact: {
    paths: [
      '*.api_key',
      '*.apiKey',
      '*.master_key',
      '*.masterKey',
      '*.authorization',
      'headers.authorization',
    ],
    censor: '[redacted]',
  },
});

export type Logger = pino.Logger;

export function setLogLevel(level: pino.Level): void {
  logger.level = level;
}
