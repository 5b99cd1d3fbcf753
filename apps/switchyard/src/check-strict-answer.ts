import type { Job } from '@switchyard/broker';
import type { GenerateResult } from '@switchyard/spec';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';

/** Compiled schemas kept, by their JSON text: a batch reuses one schema for every line. */
const CACHED_SCHEMAS = 256;

/**
 * Checks answers against what a request declared strict: the content against a strict
 * `json_schema` response format, each tool call's arguments against its strict tool's
 * parameters. A message says what is wrong; the broker then counts the attempt as a
 * `bad_response` (retried, then the next target), so a client only ever receives JSON its
 * schema admits. Schemas are compiled once and cached.
 */
export function createStrictAnswerCheck(): (result: GenerateResult, job: Job) => string | undefined {
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  const compiled = new Map<string, ValidateFunction>();

  function validatorOf(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) {
      validate = compileOnce(ajv, schema);
      if (compiled.size >= CACHED_SCHEMAS) compiled.delete(compiled.keys().next().value!);
      compiled.set(key, validate);
    }
    return validate;
  }

  function problemOf(text: string, schema: Record<string, unknown>, what: string): string | undefined {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return `${what} is not JSON`;
    }
    const validate = validatorOf(schema);
    if (validate(value)) return undefined;
    return `${what} does not match its strict schema: ${ajv.errorsText(validate.errors, { dataVar: what })}`;
  }

  return (result, job) => {
    const { responseFormat, tools = [] } = job.request;
    const calls = result.toolCalls ?? [];
    if (responseFormat?.type === 'json_schema' && responseFormat.strict && calls.length === 0) {
      const problem = problemOf(result.content, responseFormat.schema, 'the answer');
      if (problem) return problem;
    }
    for (const call of calls) {
      const tool = tools.find((candidate) => candidate.name === call.name);
      if (!tool) return `the model called ${call.name}, which is not among the tools`;
      if (!tool.strict || !tool.parameters) continue;
      const problem = problemOf(call.arguments, tool.parameters, `the arguments of ${call.name}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/**
 * Compiles without keeping the schema in Ajv's own cache (kept by object, it would grow with
 * every request); the caller keeps what it wants.
 */
function compileOnce(ajv: Ajv, schema: Record<string, unknown>): ValidateFunction {
  // Schemas are read as JSON Schema 2020-12 (OpenAI's dialect); a `$schema` naming another
  // draft (zod and pydantic write one) is not a reason to refuse.
  const { $schema: _dialect, ...body } = schema;
  try {
    return ajv.compile(body);
  } finally {
    ajv.removeSchema(body);
  }
}

const requestTimeAjv = new Ajv({ strict: false, validateFormats: false });

/** Whether a JSON schema compiles, checked when a request arrives; the message says why not. */
export function schemaProblem(schema: Record<string, unknown>): string | undefined {
  try {
    compileOnce(requestTimeAjv, schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
