import { readFileSync } from 'node:fs';
import { CARRIED_FIELDS } from '@switchyard/providers';
import type { GenerationOptions, ProviderKind } from '@switchyard/spec';
import { describe, expect, it } from 'vitest';

// docs/api.md's compatibility matrix says, per request field and wire format, whether the field
// reaches the provider; CARRIED_FIELDS says what each adapter actually sends. This keeps the two
// in step: a cell says "not in the format: dropped" exactly when the adapter leaves the field out.

/** The chat completion fields that are generation options, and the option each one sets. */
const OPTION_OF_FIELD: Record<string, keyof GenerationOptions> = {
  max_tokens: 'maxTokens',
  max_completion_tokens: 'maxTokens',
  temperature: 'temperature',
  top_p: 'topP',
  stop: 'stop',
  tools: 'tools',
  tool_choice: 'toolChoice',
  parallel_tool_calls: 'parallelToolCalls',
  response_format: 'responseFormat',
  seed: 'seed',
  presence_penalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
  user: 'user',
  logprobs: 'logprobs',
  top_logprobs: 'topLogprobs',
};
const COLUMNS: Record<string, ProviderKind> = {
  'OpenAI-compatible': 'openai',
  'Anthropic Messages': 'anthropic',
  'Gemini generateContent': 'gemini',
};
const DROPPED = 'not in the format: dropped';

function readMatrix(): string[][] {
  const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
  const section = doc
    .split('### Compatibility matrix')[1]!
    .split('\n\n')
    .find((block) => block.startsWith('|'))!;
  return section
    .split('\n')
    .filter((line) => !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('docs/api.md compatibility matrix', () => {
  const [header, ...rows] = readMatrix();
  const kinds = header!.slice(1).map((title) => COLUMNS[title]);
  // Rows of generation options: the fields named at the start of the first cell.
  const optionRows = rows.flatMap((cells) => {
    const named = [...cells[0]!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!);
    const options = [
      ...new Set(named.filter((field) => field in OPTION_OF_FIELD).map((f) => OPTION_OF_FIELD[f]!)),
    ];
    return options.length > 0 ? [{ field: cells[0]!, options, cells: cells.slice(1) }] : [];
  });

  it('has one column per wire format', () => {
    expect(kinds).toEqual(['openai', 'anthropic', 'gemini']);
  });

  it('names every field an adapter carries', () => {
    const carried = new Set(Object.values(CARRIED_FIELDS).flat());
    const named = new Set(optionRows.flatMap((row) => row.options));
    expect([...carried].filter((option) => !named.has(option))).toEqual([]);
  });

  it('says a field is dropped exactly where the adapter does not carry it', () => {
    const printed = optionRows.map((row) => ({
      field: row.field,
      dropped: row.cells.map((cell) => cell.startsWith(DROPPED)),
    }));
    // One row's fields must share their fate in every format (else the row needs splitting).
    const expected = optionRows.map((row) => ({
      field: row.field,
      dropped: kinds.map((kind) => {
        const fates = new Set(row.options.map((option) => !CARRIED_FIELDS[kind!].includes(option)));
        return fates.size === 1 ? [...fates][0] : `split the row: ${kind} carries some of its fields`;
      }),
    }));
    expect(printed).toEqual(expected);
  });
});
