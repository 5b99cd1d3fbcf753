/**
 * @switchyard/provider-sim: an HTTP server that speaks the OpenAI, Anthropic and Gemini
 * wire formats with exact sliding-window limits, concurrency limits, seeded faults and
 * latency, so tests, benchmarks and demos never call a real provider.
 *
 * URL layout (`url` = `http://127.0.0.1:{port}`):
 * - openai:    base `${url}/{id}/v1`     -> POST /chat/completions, GET /models
 * - anthropic: base `${url}/{id}`        -> POST /v1/messages, GET /v1/models
 * - gemini:    base `${url}/{id}/v1beta` -> POST /models/{model}:generateContent (and :streamGenerateContent?alt=sse)
 * - control:   `${url}/_sim/stats[/:id]`, POST /_sim/reset, GET|POST /_sim/providers, PATCH /_sim/providers/:id
 */
export { countTokens } from './count-tokens.ts';
export { createRandom } from './create-random.ts';
export {
  type SimulatedProviderInfo,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from './create-simulator.ts';
export { DEMO_PROVIDERS } from './demo-providers.ts';
export { type MeasureOptions, measureThroughput, type ThroughputResult } from './load.ts';

export type { RequestLogEntry, RequestOutcome } from './request-log.ts';
export type {
  DownMode,
  FailureKind,
  SimFailures,
  SimLatency,
  SimLimit,
  SimModel,
  SimOutage,
  SimProviderConfig,
  SimProviderPatch,
  TokenAccounting,
  WireFormatKind,
} from './sim-config.ts';
export { DEFAULT_MAX_TOKENS, type ProviderStats } from './simulated-provider.ts';
