import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths removed from every log record. Request inputs are never logged whole, but a stray
 * object carrying one of these must not put a secret or personal data into the logs.
 */
const redactPaths = [
  'password',
  'token',
  'email',
  'authorization',
  '*.password',
  '*.token',
  '*.email',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Creates the process logger: JSON lines on stdout, one `service` field on every record. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
