import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

const OPTIONS: LoggerOptions = {
  base: { service: 'switchyard' },
  // A second line of defence: log lines are built from allow-lists (see attempt-log-fields.ts),
  // so nothing below should ever reach a logger in the first place.
  redact: {
    paths: ['*.apiKey', '*.key', '*.secret', 'req.headers.authorization', 'req.headers["x-api-key"]'],
    censor: '[redacted]',
  },
};

/** The process logger (JSON lines on stdout, or on `destination`, as tests capture it). */
export function createLogger(destination?: DestinationStream): Logger {
  return destination ? pino(OPTIONS, destination) : pino(OPTIONS);
}
