import { BrokerError, resolveRoute } from '@switchyard/broker';
import type { Config } from '@switchyard/config';
import type { LineProblem } from './batch-error.ts';
import { MAX_FILE_PROBLEMS } from './create-file-store.ts';
import { parseRequestLine } from './parse-request-line.ts';

/** Why a route name is unknown to the configuration, or undefined when it is known. */
export function unknownRoute(config: Config, name: string): string | undefined {
  try {
    resolveRoute(config, name);
    return undefined;
  } catch (error) {
    if (error instanceof BrokerError) return error.message;
    throw error;
  }
}

/**
 * The lines (1-based) whose `body.model` names no configured route or provider/model, up to
 * `MAX_FILE_PROBLEMS`: a batch that would fail them all is refused before it runs. Lines
 * that do not parse are the file check's concern and are passed over here.
 */
export function findUnknownRoutes(
  config: Config,
  lines: Iterable<string>,
  firstLine = 1,
  found: LineProblem[] = [],
): LineProblem[] {
  const known = new Map<string, string | undefined>();
  let line = firstLine;
  for (const text of lines) {
    const parsed = parseRequestLine(text);
    if (parsed.ok) {
      const { model } = parsed.request;
      if (!known.has(model)) known.set(model, unknownRoute(config, model));
      const problem = known.get(model);
      if (problem) found.push({ line, message: `body.model: ${problem}` });
      if (found.length >= MAX_FILE_PROBLEMS) break;
    }
    line++;
  }
  return found;
}
