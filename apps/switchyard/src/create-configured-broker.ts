import { type Broker, type BrokerOptions, createBroker } from '@switchyard/broker';
import type { Config } from '@switchyard/config';
import { createProviderAdapters } from '@switchyard/providers';

/** A broker over the configured providers' adapters: how the app (and tests, benchmarks) make one. */
export function createBrokerFor(
  config: Config,
  options: Omit<BrokerOptions, 'config' | 'adapters'> & Partial<Pick<BrokerOptions, 'adapters'>> = {},
): Broker {
  return createBroker({ adapters: createProviderAdapters(config.providers), ...options, config });
}
