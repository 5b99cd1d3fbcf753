--[[
  Reserves one call's capacity on every limit of a provider and its model, all or nothing.

  Input (variadic: each call passes its number of keys, 1 + the limits' keys):
    KEYS[1]    scale: the provider's multiplier on every max after an unexpected 429
               (string; absent = 1)
    KEYS[2..]  per limit, in ARGV order: a sliding window's entries (sorted set) and, for
               tokens, their running sum (string); a fixed window's counter (hash)

    ARGV[1]    reservation id (unique per provider call)
    ARGV[2]    tokens to reserve on token limits
    ARGV[3]    hold (ms): a pending entry is scored now + hold
    ARGV[4]    now (ms), or '' for Redis server time
    ARGV[5..]  per limit: unit ('requests' | 'tokens'), max, window (ms, 'month' or 'starts:...'; see readLimits)

  Output:
    {1}                          granted (also when this reservation already exists:
                                 a resent command counts once)
    {0, retryAfterMs, index}     refused, nothing reserved; index (0-based) is the limit
                                 that frees last, retryAfterMs the exact wait until every
                                 limit admits the call, or -1 when it never can (amount > max)
]]
--- @include "common"
--- @include "sliding-window"
--- @include "fixed-window"
--- @include "acquire"

return acquireQuota(KEYS[1], 2, 5, ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4])
