/**
 * The shapes of the HTTP API's answers that the CLI reads (docs/api.md), named from the types
 * generated from the app's OpenAPI document (`generated/api.ts`, `pnpm generate:api-types`),
 * so a change to the API shows up here as a type error rather than at run time.
 */
import type { components, paths } from './generated/api.ts';

type Schemas = components['schemas'];

export type FileObject = Schemas['File'];
export type Batch = Schemas['Batch'];
export type BatchStatus = Batch['status'];
export type CreateBatch = Schemas['CreateBatch'];
export type Job = Schemas['Job'];
export type JobStatus = Job['status'];
export type Attempt = Job['attempts'][number];

/** `GET /v1/providers`: the API declares this list inline, not as a named schema. */
export type ProviderList = paths['/v1/providers']['get']['responses'][200]['content']['application/json'];
export type Provider = ProviderList['data'][number];
export type ProviderLimit = Provider['limits'][number];

/** Every list the API answers with has this envelope. */
export interface List<T> {
  object: 'list';
  data: T[];
}
