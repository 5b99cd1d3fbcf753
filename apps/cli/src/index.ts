export { ApiClient, ApiError } from './api-client.ts';
export type * from './api-types.ts';
export { COMMANDS, main } from './main.ts';
