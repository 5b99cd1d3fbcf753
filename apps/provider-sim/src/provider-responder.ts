import { checkApiKey } from './check-api-key.ts';
import { accountOf, type ProviderCall, type ProviderState } from './provider-state.ts';
import type { RequestLogEntry, RequestOutcome } from './request-log.ts';
import type { Answer, ChatCall, Route, SimError, WireResponse } from './wire/wire-format.ts';

export interface ProviderResponder {
  /** Writes a rendered response and logs the request with its status. */
  send(call: ProviderCall, rendered: WireResponse, entry: RequestLogEntry): void;
  /** Writes a rendered response without logging (model listings are not logged). */
  write(call: ProviderCall, rendered: WireResponse): void;
  /** Answers with an error, counting it as a 429 or a client error. */
  reject(call: ProviderCall, error: SimError, entry: RequestLogEntry, outcome: RequestOutcome): void;
  /** A whole answer; `malformed` cuts the body in half so it no longer parses. */
  sendAnswer(call: ProviderCall, answer: Answer, malformed: boolean, entry: RequestLogEntry): void;
  /** A streamed answer; `malformed` stops halfway through a chunk. */
  sendStream(
    call: ProviderCall,
    answer: Answer,
    parsed: ChatCall,
    malformed: boolean,
    entry: RequestLogEntry,
  ): void;
  /** Model listing and lookup, for a provider that is up. */
  handleModels(call: ProviderCall, route: Exclude<Route, { kind: 'generate' }>): void;
}

/** Everything that puts bytes on a provider's HTTP responses, in its current wire format. */
export function createProviderResponder(state: ProviderState): ProviderResponder {
  const write = (call: ProviderCall, rendered: WireResponse): void => {
    const { response } = call;
    // The client may have gone (or a held request been closed) before the latency elapsed.
    if (response.destroyed || response.writableEnded) return;
    rendered.headers['content-length'] = String(Buffer.byteLength(rendered.body));
    response.writeHead(rendered.status, rendered.headers);
    response.end(rendered.body);
  };

  const send = (call: ProviderCall, rendered: WireResponse, entry: RequestLogEntry): void => {
    entry.status = rendered.status;
    state.log.push(entry);
    write(call, rendered);
  };

  return {
    send,
    write,

    reject(call, error, entry, outcome) {
      entry.outcome = outcome;
      if (error.kind === 'rate-limited' || error.kind === 'daily-cap') state.counters.rateLimited += 1;
      else state.counters.clientErrors += 1;
      const now = state.now();
      send(call, state.format.renderError(error, accountOf(state, call).limiter.snapshot(now), now), entry);
    },

    sendAnswer(call, answer, malformed, entry) {
      const quota = accountOf(state, call).limiter.snapshot(state.now());
      const rendered = state.format.renderAnswer(answer, quota, state.now());
      if (malformed) rendered.body = rendered.body.slice(0, Math.floor(rendered.body.length / 2));
      send(call, rendered, entry);
    },

    sendStream(call, answer, parsed, malformed, entry) {
      const now = state.now();
      const stream = state.format.renderStream(
        answer,
        accountOf(state, call).limiter.snapshot(now),
        now,
        parsed,
      );
      let chunks = stream.chunks;
      if (malformed) {
        const keep = Math.floor(chunks.length / 2);
        const cut = chunks[keep] ?? '';
        chunks = [...chunks.slice(0, keep), cut.slice(0, Math.floor(cut.length / 2))];
      }
      entry.status = 200;
      state.log.push(entry);
      call.response.writeHead(200, stream.headers);
      for (const chunk of chunks) call.response.write(chunk);
      call.response.end();
    },

    handleModels(call, route) {
      const authError = checkApiKey(state, call);
      if (authError) {
        write(call, state.format.renderError(authError, {}, state.now()));
        return;
      }
      if (route.kind === 'list-models') {
        write(call, state.format.renderModels(state.config.models));
        return;
      }
      const model = state.models.get(route.model);
      const rendered = model
        ? state.format.renderModel(model)
        : state.format.renderError({ kind: 'unknown-model', model: route.model }, {}, state.now());
      write(call, rendered);
    },
  };
}
