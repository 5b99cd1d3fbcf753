import type { Table } from '../../support/format-table.ts';
import { type FreeTierScenarioOptions, freeTierScenario } from '../index.ts';

/**
 * The free-tier scenario with one more fault: `gemini-free`, the first tier with a daily cap,
 * refuses every call (429, `Retry-After: 1`, as a provider that has blocked the key for a
 * while) from 15:00 to 16:00, in the middle of the peak. Switchyard must still complete every
 * job, and its paid share must stay within 1 pp of the optimum, which has none of that tier's
 * capacity during the hour.
 */
export function freeTierRefusingHour(options: FreeTierScenarioOptions = {}): Promise<Table[]> {
  return freeTierScenario({
    ...options,
    refusing: { provider: 'gemini-free', fromHour: 15, toHour: 16 },
    variant: 'gemini-free refuses 15:00-16:00',
  });
}
