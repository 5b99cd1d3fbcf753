/**
 * A tool call's arguments (JSON text) as an object, for the formats that send them parsed
 * (Anthropic `input`, Gemini `args`). Text that is not a JSON object is kept under `input`
 * rather than dropped, so the model still sees what it wrote.
 */
export function parseToolArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
    return { input: parsed };
  } catch {
    return { input: text };
  }
}
