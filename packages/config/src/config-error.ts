export interface ConfigProblem {
  /** Where the problem is, e.g. `providers[2].limits[0].per`, or a variable's name. */
  path: string;
  message: string;
}

/** A configuration that cannot be used. Lists every problem; never echoes a value. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(source: string, problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${source}):\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `['providers', 2, 'limits', 0, 'per']` -> `providers[2].limits[0].per` */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}
