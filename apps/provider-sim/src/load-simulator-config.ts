import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { SimConfigError, type SimProviderConfig, validateProviderConfig } from './sim-config.ts';

/**
 * Reads simulated providers from a YAML or JSON file: either `{ providers: [...] }`
 * or a bare list. Every provider is validated; problems throw SimConfigError.
 */
export async function loadSimulatorConfig(path: string): Promise<SimProviderConfig[]> {
  const document: unknown = parse(await readFile(path, 'utf8'));
  const list = Array.isArray(document)
    ? document
    : typeof document === 'object' && document !== null
      ? (document as { providers?: unknown }).providers
      : undefined;
  if (!Array.isArray(list))
    throw new SimConfigError([`${path}: expected a list of providers or { providers: [...] }`]);
  return list.map((provider, index) => validateProviderConfig(provider, `${path}: providers[${index}]`));
}
