import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; each request's lines carry its request id (`logger.child({ requestId })`). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'baoxue' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Tokens and bodies never reach the log, whatever a caller passes.
    redact: { paths: ['authorization', 'headers.authorization', 'token', 'variables', 'body'], censor: '[redacted]' },
  });
}
