import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ApiClient, ApiError } from './api-client.ts';
import { type Command, type Io, type OptionSpecs, stringOption, UsageError } from './command.ts';
import { batchCommand } from './commands/batch.ts';
import { jobCommand } from './commands/job.ts';
import { providersCommand } from './commands/providers.ts';
import { DEFAULT_URL, EnvError, parseEnv } from './env.ts';

export const COMMANDS: readonly Command[] = [batchCommand, providersCommand, jobCommand];

const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP = `Usage: switchyard <command> [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(12)}${command.summary}`).join('\n')}
  help [cmd]  show this help, or a command's

Options (every command):
  --url <url>   the Switchyard API (env SWITCHYARD_URL, default ${DEFAULT_URL})
  --key <key>   the API key (env SWITCHYARD_API_KEY)
  -h, --help    help

Run "switchyard <command> --help" for a command's options.
`;

/** The first argument that is neither an option nor a global option's value. */
function findCommand(argv: string[]): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    if (token === '--') return argv[index + 1];
    if (!token.startsWith('-')) return token;
    if (token === '--url' || token === '--key') index++;
  }
  return undefined;
}

/** Runs the command line with the environment `variables` (parsed by env.ts); resolves to the exit code. */
export async function main(
  argv: string[],
  io: Io,
  variables: Record<string, string | undefined> = {},
): Promise<number> {
  const name = findCommand(argv);
  const command = COMMANDS.find((candidate) => candidate.name === name);
  try {
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? argv[argv.indexOf('help') + 1] : undefined;
      const target = COMMANDS.find((candidate) => candidate.name === topic);
      const asked = name === 'help' || argv.some((arg) => arg === '--help' || arg === '-h');
      (asked ? io.stdout : io.stderr).write(target ? target.help : GLOBAL_HELP);
      return asked ? 0 : 2;
    }
    if (!command) throw new UsageError(`unknown command "${name}"`);
    const { values, positionals } = parseCommandLine(argv, command);
    if (values.help === true) {
      io.stdout.write(command.help);
      return 0;
    }
    const env = parseEnv(variables);
    const url = stringOption(values, 'url') ?? env.SWITCHYARD_URL;
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
    const key = stringOption(values, 'key') ?? env.SWITCHYARD_API_KEY;
    const client = new ApiClient({ url, ...(key ? { key } : {}) });
    return await command.run({ client, values, positionals: positionals.slice(1), io });
  } catch (error) {
    return reportError(error, command, io);
  }
}

function parseCommandLine(argv: string[], command: Command) {
  try {
    return parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function reportError(error: unknown, command: Command | undefined, io: Io): number {
  if (error instanceof UsageError || error instanceof EnvError) {
    const help = command ? `switchyard ${command.name} --help` : 'switchyard --help';
    io.stderr.write(`switchyard: ${error.message}\nRun "${help}" for usage.\n`);
  } else if (error instanceof ApiError) {
    const details = error.details === undefined ? '' : `\n${JSON.stringify(error.details)}`;
    const status = error.status > 0 ? ` (HTTP ${error.status})` : '';
    io.stderr.write(`switchyard: ${error.code}: ${error.message}${status}${details}\n`);
  } else {
    io.stderr.write(`switchyard: ${(error as Error).message ?? String(error)}\n`);
  }
  return 2;
}

/** The process entry: runs `main` on the real streams and environment (read here only), and sets the exit code. */
export async function runMain(argv: string[]): Promise<void> {
  process.exitCode = await main(argv, { stdout: process.stdout, stderr: process.stderr }, process.env);
}

function isEntry(): boolean {
  try {
    const entry = process.argv[1];
    return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) await runMain(process.argv.slice(2));
