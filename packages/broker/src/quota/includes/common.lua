-- Shared by every quota script: the clock, the limit arguments, key lifetimes.

-- The current time in milliseconds, twice: rounded down (`now`, used to trim and to check)
-- and rounded up (`answeredAt`, the stamp of a settled entry: an upper bound of when the
-- provider counted the call). The caller's time when given (tests), else Redis server
-- time, so that every machine agrees whatever its own clock says.
local function currentTime(given)
  if given ~= '' then
    local time = tonumber(given)
    return time, time
  end
  local time = redis.call('TIME')
  local milliseconds = tonumber(time[1]) * 1000
  local microseconds = tonumber(time[2])
  return milliseconds + math.floor(microseconds / 1000), milliseconds + math.ceil(microseconds / 1000)
end

-- An integer as a string, for members and hash values (no exponent, whatever its size).
local function integer(number)
  return string.format('%.0f', number)
end

-- Reads the limits of one call. From ARGV[firstArg] on, three arguments per limit:
-- unit ('requests' | 'tokens'), max, window: milliseconds (sliding), 'month' (calendar month,
-- UTC) or 'starts:<s1>:<s2>:<s3>:<s4>' (fixed periods: the starts, in ms, of the period before
-- the caller's now, of its period and of the two after). From KEYS[firstKey] on, their keys in
-- the same order: a sliding window has its entries (sorted set) and, for tokens, their running
-- sum (string); a fixed window has its counter (hash).
local function readLimits(firstKey, firstArg)
  local limits = {}
  local key = firstKey
  for arg = firstArg, #ARGV, 3 do
    local limit = { unit = ARGV[arg], max = tonumber(ARGV[arg + 1]) }
    local window = ARGV[arg + 2]
    if window == 'month' or string.sub(window, 1, 7) == 'starts:' then
      limit.fixed = true
      limit.counter = KEYS[key]
      limit.labelField = 'month'
      key = key + 1
      if window ~= 'month' then
        local s1, s2, s3, s4 = string.match(window, '^starts:(%d+):(%d+):(%d+):(%d+)$')
        limit.starts = { tonumber(s1), tonumber(s2), tonumber(s3), tonumber(s4) }
        limit.labelField = 'period'
      end
    else
      limit.window = tonumber(window)
      limit.entries = KEYS[key]
      key = key + 1
      if limit.unit == 'tokens' then
        limit.sum = KEYS[key]
        key = key + 1
      end
    end
    limits[#limits + 1] = limit
  end
  return limits
end

-- What one reservation counts on a limit: 1 request, or its tokens.
local function amountOn(limit, tokens)
  if limit.unit == 'requests' then return 1 end
  return tokens
end

-- A limit's max under the provider's scale (after a 429 despite our accounting).
local function scaledMax(max, scale)
  return math.max(1, math.floor(max * scale))
end

-- Makes a key live at least `milliseconds` more (never shortens its life).
local function keepFor(key, milliseconds)
  if redis.call('PTTL', key) < milliseconds then
    redis.call('PEXPIRE', key, milliseconds)
  end
end
