import type { ParseArgsConfig } from 'node:util';
import type { ApiClient } from './api-client.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Output streams, so a command never reaches for `process` itself. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export interface CommandContext {
  client: ApiClient;
  values: OptionValues;
  positionals: string[];
  io: Io;
}

export interface Command {
  name: string;
  summary: string;
  /** The per-command help text (usage line and options). */
  help: string;
  options: OptionSpecs;
  /** Resolves to the exit code. */
  run(context: CommandContext): Promise<number>;
}

/** A mistake in the command line: exit 2 with the message and a pointer to the help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function positiveInteger(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  }
  return Number(text);
}
