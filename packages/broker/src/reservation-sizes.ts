/** How many recent grants per provider the smallest reservation is taken over. */
const RECENT_GRANTS = 64;

/**
 * The token reservations this process recently granted per provider, to tell whether a job
 * refused for lack of tokens is large compared with the jobs that usually run there: only
 * then can smaller jobs use the room it cannot, and it waits without pausing its provider.
 */
export interface ReservationSizes {
  record(providerId: string, reservedTokens: number): void;
  /** The smallest of the recent grants; undefined before the first. */
  smallest(providerId: string): number | undefined;
}

export function createReservationSizes(): ReservationSizes {
  const recent = new Map<string, number[]>();
  return {
    record(providerId, reservedTokens) {
      const sizes = recent.get(providerId) ?? [];
      recent.set(providerId, sizes);
      sizes.push(reservedTokens);
      if (sizes.length > RECENT_GRANTS) sizes.shift();
    },
    smallest(providerId) {
      const sizes = recent.get(providerId);
      return sizes && sizes.length > 0 ? Math.min(...sizes) : undefined;
    },
  };
}
