/**
 * JSON Schema keywords Gemini's schema subset (an OpenAPI 3.0 Schema object) rejects with a
 * 400 INVALID_ARGUMENT; they are dropped from tool parameters and response schemas. Dropping
 * them loosens the schema Gemini sees (e.g. extra properties are no longer forbidden); the
 * caller's own validation of a strict answer still applies the full schema.
 */
const GEMINI_UNSUPPORTED_SCHEMA_KEYWORDS: readonly string[] = [
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'definitions',
  'additionalProperties',
  'unevaluatedProperties',
  'patternProperties',
  'dependentRequired',
  'dependentSchemas',
  'if',
  'then',
  'else',
  'not',
  'const',
  'examples',
  'default',
  'readOnly',
  'writeOnly',
  'deprecated',
  'contentEncoding',
  'contentMediaType',
  'strict',
];

const UNSUPPORTED = new Set(GEMINI_UNSUPPORTED_SCHEMA_KEYWORDS);
const SUBSCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf', 'prefixItems']);

/**
 * A JSON Schema as Gemini accepts it: unsupported keywords dropped at every level, and a
 * nullable type list (`["string", "null"]`) turned into `type` plus `nullable: true`.
 */
export function toGeminiSchema(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (UNSUPPORTED.has(key)) continue;
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      result.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, toGeminiSchema(property)]),
      );
    } else if (key === 'items') {
      result.items = toGeminiSchema(value);
    } else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) {
      // Gemini knows `anyOf` only; `oneOf` means the same for generating one valid value.
      result[key === 'oneOf' ? 'anyOf' : key] = value.map(toGeminiSchema);
    } else if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((type) => type !== 'null');
      result.type = types.length === 1 ? types[0] : types;
      if (types.length < value.length) result.nullable = true;
    } else {
      result[key] = value;
    }
  }
  return result;
}
