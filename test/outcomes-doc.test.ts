import { readFileSync } from 'node:fs';
import { OUTCOME_POLICY, type Policy } from '@switchyard/broker';
import { describe, expect, it } from 'vitest';

const NEXT: Record<Policy['next'], string> = {
  wait: 'wait for retry-after here, while the deadline allows; else move',
  retry: 'retry here with backoff (`retriesPerTarget`), while the deadline allows; then move',
  move: 'move to the next target',
  fail: 'fail the job',
};

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** The table as docs/outcomes.md prints it, one row per outcome, from the policy itself. */
function renderRows(): string[] {
  return Object.entries(OUTCOME_POLICY).map(([outcome, policy]) =>
    [
      '',
      `\`${outcome}\``,
      NEXT[policy.next],
      policy.pauseMs === undefined ? 'no' : `retry-after, else ${policy.pauseMs / 1000} s`,
      policy.settlesQuota ? 'settled' : 'released',
      yesNo(policy.tightensQuota),
      yesNo(policy.countsAgainstBreaker),
      `${policy.http.status} \`${policy.http.code}\``,
      '',
    ]
      .join(' | ')
      .trim(),
  );
}

describe('docs/outcomes.md', () => {
  it('prints the outcome policy as the code has it', () => {
    const doc = readFileSync(new URL('../docs/outcomes.md', import.meta.url), 'utf8');
    const printed = doc
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.replace(/ {2,}/g, ' '));
    expect(printed, 'docs/outcomes.md is out of date: paste these rows into its table').toEqual(renderRows());
  });
});
