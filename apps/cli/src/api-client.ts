import type { Batch, CreateBatch, FileObject, Job, List, Provider } from './api-types.ts';

/** An error answer of the API (`{ error: { code, message } }`), or a failure to reach it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface ClientOptions {
  url: string;
  key?: string;
}

/** A typed wrapper over the HTTP API. The key goes only into the Authorization header. */
export class ApiClient {
  readonly url: string;
  readonly #key: string | undefined;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#key = options.key;
  }

  /** Any request; answers the response when it is 2xx, throws `ApiError` otherwise. */
  async request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#key) headers.authorization = `Bearer ${this.#key}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { method, headers, body: payload });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ApiError(0, 'connection_failed', `cannot reach ${this.url} (${reason})`);
    }
    if (!response.ok) throw await toApiError(response);
    return response;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }

  uploadBatchFile(file: Blob, filename: string): Promise<FileObject> {
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', file, filename);
    return this.json<FileObject>('POST', '/v1/files', form);
  }

  /** The content of a file (also a batch's output and error files), as a stream. */
  async fileContent(id: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.request('GET', `/v1/files/${encodeURIComponent(id)}/content`);
    return response.body ?? new Blob([]).stream();
  }

  createBatch(params: CreateBatch): Promise<Batch> {
    return this.json<Batch>('POST', '/v1/batches', params);
  }

  getBatch(id: string): Promise<Batch> {
    return this.json<Batch>('GET', `/v1/batches/${encodeURIComponent(id)}`);
  }

  /** A job; with `waitS`, the answer waits until the job finishes or that many seconds pass. */
  getJob(id: string, waitS?: number): Promise<Job> {
    const query = waitS ? `?wait=${waitS}` : '';
    return this.json<Job>('GET', `/v1/jobs/${encodeURIComponent(id)}${query}`);
  }

  async providers(): Promise<Provider[]> {
    return (await this.json<List<Provider>>('GET', '/v1/providers')).data;
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
    if (error?.code) return new ApiError(response.status, error.code, error.message ?? '', error.details);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, `http_${response.status}`, text.slice(0, 200) || response.statusText);
}
