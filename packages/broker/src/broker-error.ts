/** A submission the broker refuses; `code` is stable for clients to switch on. */
export class BrokerError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'BrokerError';
    this.code = code;
    this.details = details;
  }
}
