/**
 * A deterministic value valid against a JSON Schema, standing in for a model's structured
 * answer or tool arguments: objects get their required properties (every property when the
 * schema lists none as required), strings the first words of the prompt (or the first `enum`
 * value, or a value of their `format`), integers and numbers the prompt's word count kept
 * within `minimum`/`maximum`, booleans `true`, arrays `minItems` items (at least one), and
 * `anyOf`/`oneOf` their first choice. `$ref` is not followed (its place gets a string).
 */
export function buildExampleValue(schema: unknown, prompt: string): unknown {
  if (typeof schema !== 'object' || schema === null) return promptWords(prompt, undefined);
  const node = schema as Record<string, unknown>;
  if ('const' in node) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const choices = node[key];
    if (Array.isArray(choices) && choices.length > 0) return buildExampleValue(choices[0], prompt);
  }
  // Gemini clients often write types in upper case (`OBJECT`, `STRING`).
  const declared = Array.isArray(node.type)
    ? (node.type.find((entry) => entry !== 'null') ?? 'null')
    : node.type;
  const type = typeof declared === 'string' ? declared.toLowerCase() : undefined;
  switch (type ?? (node.properties ? 'object' : node.items ? 'array' : undefined)) {
    case 'object':
      return buildObject(node, prompt);
    case 'array': {
      const count = Math.max(1, Number(node.minItems ?? 1));
      const capped = typeof node.maxItems === 'number' ? Math.min(count, node.maxItems) : count;
      return Array.from({ length: capped }, () => buildExampleValue(node.items, prompt));
    }
    case 'integer':
    case 'number':
      return withinBounds(wordCount(prompt), node);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return buildString(node, prompt);
  }
}

function buildObject(node: Record<string, unknown>, prompt: string): Record<string, unknown> {
  const properties =
    typeof node.properties === 'object' && node.properties !== null
      ? (node.properties as Record<string, unknown>)
      : {};
  const names = Array.isArray(node.required)
    ? node.required.filter((name): name is string => typeof name === 'string')
    : Object.keys(properties);
  return Object.fromEntries(names.map((name) => [name, buildExampleValue(properties[name], prompt)]));
}

function buildString(node: Record<string, unknown>, prompt: string): string {
  switch (node.format) {
    case 'date':
      return '2025-01-01';
    case 'date-time':
      return '2025-01-01T00:00:00Z';
    case 'email':
      return 'someone@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    default: {
      const maxLength = typeof node.maxLength === 'number' ? node.maxLength : undefined;
      const text = promptWords(prompt, maxLength);
      const minLength = typeof node.minLength === 'number' ? node.minLength : 0;
      return text.padEnd(minLength, '.');
    }
  }
}

/** The first eight words of the prompt (or `text` for an empty one), cut to `maxLength`. */
function promptWords(prompt: string, maxLength: number | undefined): string {
  const words = prompt.split(/\s+/).filter(Boolean).slice(0, 8).join(' ') || 'text';
  return maxLength === undefined ? words : words.slice(0, maxLength);
}

function wordCount(prompt: string): number {
  return prompt.split(/\s+/).filter(Boolean).length;
}

function withinBounds(value: number, node: Record<string, unknown>): number {
  let result = value;
  if (typeof node.minimum === 'number') result = Math.max(result, Math.ceil(node.minimum));
  if (typeof node.exclusiveMinimum === 'number')
    result = Math.max(result, Math.floor(node.exclusiveMinimum) + 1);
  if (typeof node.maximum === 'number') result = Math.min(result, Math.floor(node.maximum));
  if (typeof node.exclusiveMaximum === 'number')
    result = Math.min(result, Math.ceil(node.exclusiveMaximum) - 1);
  return result;
}
