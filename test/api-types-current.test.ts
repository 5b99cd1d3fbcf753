import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { API_TYPES_PATH, readOpenApiDocument, renderApiTypes } from '../scripts/generate-api-types.ts';

// The CLI's API types are generated from the app's OpenAPI document and committed; this fails
// when the API changed and the generated file was not written again.
it('the committed CLI API types are what the OpenAPI document generates', async () => {
  const expected = await renderApiTypes(await readOpenApiDocument());
  const committed = readFileSync(API_TYPES_PATH, 'utf8');

  expect(
    committed === expected,
    'apps/cli/src/generated/api.ts is out of date with the OpenAPI document: run pnpm generate:api-types',
  ).toBe(true);
});
