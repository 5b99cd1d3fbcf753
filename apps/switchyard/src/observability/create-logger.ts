import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Errors without what a command carried: ioredis puts the failed command's arguments on its
 * errors (`command.args`, and the last ones in `previousErrors`), and those hold prompts.
 */
function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (!serialized || typeof serialized !== 'object') return serialized;
  const { command, previousErrors, args, ...rest } = serialized;
  if (command && typeof command === 'object') rest.command = { name: (command as { name?: unknown }).name };
  return rest;
}

const OPTIONS: LoggerOptions = {
  base: { service: 'switchyard' },
  serializers: { err: serializeError, error: serializeError },
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
