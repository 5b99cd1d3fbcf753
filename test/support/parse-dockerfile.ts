/** One instruction of a Dockerfile: `RUN`, `ENV`, `CMD`..., with continuation lines joined. */
export interface DockerInstruction {
  keyword: string;
  arguments: string;
}

export interface DockerStage {
  name: string | undefined;
  instructions: DockerInstruction[];
}

/**
 * The stages of a Dockerfile, enough of the syntax for the test that runs its steps:
 * comments, `\` continuations, `FROM image AS name`. No heredocs, no parser directives.
 */
export function parseDockerfile(text: string): DockerStage[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.trimEnd();
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole !== '') lines.push(whole);
  }
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const match = /^(\w+)\s+(.*)$/s.exec(line);
    if (!match) throw new Error(`not an instruction: ${line}`);
    const keyword = match[1]!.toUpperCase();
    const rest = match[2]!.replace(/\s+/g, ' ');
    if (keyword === 'FROM') {
      stages.push({ name: /\sAS\s+(\S+)$/i.exec(rest)?.[1], instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ keyword, arguments: rest });
    }
  }
  return stages;
}

/** `ENV A=1 B=2` as a record (the `KEY=value` form only; no quoting). */
export function environmentOf(stage: DockerStage): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((each) => each.keyword === 'ENV')) {
    for (const pair of instruction.arguments.split(' ')) {
      const equals = pair.indexOf('=');
      if (equals > 0) environment[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
  }
  return environment;
}

/** The exec form of `CMD ["node", "..."]`. */
export function commandOf(stage: DockerStage): string[] {
  const command = stage.instructions.findLast((each) => each.keyword === 'CMD');
  if (!command) throw new Error(`stage ${stage.name} has no CMD`);
  return JSON.parse(command.arguments) as string[];
}
