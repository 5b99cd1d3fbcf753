const marker = Symbol.for('switchyard.BatchError');

/** One problem of an uploaded file or inline request list, by 1-based line number. */
export interface LineProblem {
  line: number;
  message: string;
}

/**
 * What the files and batches API refuses; `code` is stable for clients to switch on:
 * - `invalid_file` (400): a file or inline request list with bad lines; `details` lists them.
 * - `invalid_request` (400): a bad batch parameter (endpoint, window, metadata, deadline...).
 * - `file_not_found` (404): the input file does not exist for this tenant.
 * - `not_found` (404): reading a file or batch that does not exist for this tenant.
 * `isInstance` checks a `Symbol.for` marker, so it works across duplicate package copies.
 */
export class BatchError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly details?: LineProblem[] | Record<string, unknown>;

  constructor(code: string, message: string, details?: LineProblem[] | Record<string, unknown>) {
    super(message);
    this.name = 'BatchError';
    this.code = code;
    this.details = details;
  }

  static isInstance(error: unknown): error is BatchError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
