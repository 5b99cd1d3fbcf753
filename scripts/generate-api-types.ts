/**
 * Writes the CLI's types of the HTTP API (`apps/cli/src/generated/api.ts`) from the app's
 * OpenAPI document, through openapi-typescript: `pnpm generate:api-types`. The test
 * `test/api-types-current.test.ts` fails when the committed file is not what this writes.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@switchyard/app/app';
import { createServices } from '@switchyard/app/services';
import { parseConfig } from '@switchyard/config';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

export const API_TYPES_PATH = fileURLToPath(new URL('../apps/cli/src/generated/api.ts', import.meta.url));

const HEADER = `/**
 * The HTTP API's types, generated from its OpenAPI document (\`/openapi.json\`) by
 * openapi-typescript. Do not edit: run \`pnpm generate:api-types\`.
 */

`;

/**
 * The app's `/openapi.json`. The document does not depend on the configuration, so one made-up
 * provider does; Redis is connected to (services need it) but nothing is written there.
 */
export async function readOpenApiDocument(): Promise<OpenAPI3> {
  const config = parseConfig(
    {
      presets: 'off',
      providers: [
        {
          id: 'openapi',
          kind: 'openai',
          baseUrl: 'http://127.0.0.1:9/v1',
          tier: 'free',
          models: [{ name: 'm', contextWindow: 4_000 }],
        },
      ],
      routes: { main: { targets: ['openapi/m'] } },
      redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: `openapi-${randomUUID()}` },
    },
    {},
  );
  const services = createServices(config);
  try {
    const app = await buildApp(services);
    try {
      return (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenAPI3;
    } finally {
      await app.close();
    }
  } finally {
    await services.close();
  }
}

/** The generated file's text for a document. */
export async function renderApiTypes(document: OpenAPI3): Promise<string> {
  return HEADER + astToString(await openapiTS(document));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await renderApiTypes(await readOpenApiDocument());
  writeFileSync(API_TYPES_PATH, text);
  console.log(`wrote ${API_TYPES_PATH} (${text.split('\n').length} lines)`);
}
