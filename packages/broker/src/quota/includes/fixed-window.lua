-- A fixed window: a calendar month (UTC), or periods whose starts the caller computed (a
-- calendar day or month in a time zone, or fixed windows of a duration). One counter per
-- limit, a hash
--   month    the month it counts ('2026-11'), for a UTC month
--   period   the start (ms, zero-padded) of the period it counts, for the others
--   used     requests or tokens counted this period (pending reservations included)
--   p|<id>   '<amount>|<holdUntil>' for each pending reservation
-- When the period changes, the counter starts again from the pending reservations still
-- within their hold: their calls may be answered, and counted by the provider, in the
-- new period. The key expires a day after the period it counts ends.

local DAY = 86400000

-- Days since 1970-01-01 -> year, month (Howard Hinnant's civil_from_days).
local function civilFromDays(days)
  local z = days + 719468
  local era = math.floor(z / 146097)
  local dayOfEra = z - era * 146097
  local yearOfEra = math.floor(
    (dayOfEra - math.floor(dayOfEra / 1460) + math.floor(dayOfEra / 36524) - math.floor(dayOfEra / 146096)) / 365
  )
  local dayOfYear = dayOfEra - (365 * yearOfEra + math.floor(yearOfEra / 4) - math.floor(yearOfEra / 100))
  local shiftedMonth = math.floor((5 * dayOfYear + 2) / 153) -- March = 0
  local month = shiftedMonth < 10 and shiftedMonth + 3 or shiftedMonth - 9
  local year = yearOfEra + era * 400
  if month <= 2 then year = year + 1 end
  return year, month
end

-- year, month, day -> days since 1970-01-01 (Howard Hinnant's days_from_civil).
local function daysFromCivil(year, month, day)
  if month <= 2 then year = year - 1 end
  local era = math.floor(year / 400)
  local yearOfEra = year - era * 400
  local shiftedMonth = month > 2 and month - 3 or month + 9
  local dayOfYear = math.floor((153 * shiftedMonth + 2) / 5) + day - 1
  local dayOfEra = yearOfEra * 365 + math.floor(yearOfEra / 4) - math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
end

-- The month containing `now`: its label and when the next month starts (ms).
local function monthOf(now)
  local year, month = civilFromDays(math.floor(now / DAY))
  local nextYear, nextMonth = year, month + 1
  if nextMonth == 13 then nextYear, nextMonth = year + 1, 1 end
  return string.format('%04d-%02d', year, month), daysFromCivil(nextYear, nextMonth, 1) * DAY
end

-- The period containing `now` among the caller's starts (s1 < s2 < s3 < s4: the period
-- before, the current one and the two after it, by the caller's clock): its label and end.
-- Redis time a whole period away from the caller's clock takes the nearest period given.
local function periodOf(starts, now)
  local first, last = starts[1], starts[4]
  if now < starts[2] then first, last = starts[1], starts[2]
  elseif now < starts[3] then first, last = starts[2], starts[3]
  elseif now < starts[4] then first, last = starts[3], starts[4]
  else first, last = starts[4], starts[4] + (starts[4] - starts[3]) end
  return string.format('%015.0f', first), last
end

-- Sets limit.label and limit.periodEnd; restarts the counter if it counts an earlier period.
local function rollPeriod(limit, now)
  local label, periodEnd
  if limit.starts then label, periodEnd = periodOf(limit.starts, now)
  else label, periodEnd = monthOf(now) end
  limit.label, limit.periodEnd = label, periodEnd
  local counted = redis.call('HGET', limit.counter, limit.labelField)
  if not counted or counted >= label then return end -- (a clock that stepped back keeps its period)
  local fields = redis.call('HGETALL', limit.counter)
  redis.call('DEL', limit.counter)
  local used = 0
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, 2) == 'p|' then
      local amount, holdUntil = string.match(fields[i + 1], '^(%d+)|(%-?%d+)$')
      if tonumber(holdUntil) > now then
        redis.call('HSET', limit.counter, fields[i], fields[i + 1])
        used = used + tonumber(amount)
      end
    end
  end
  redis.call('HSET', limit.counter, limit.labelField, label, 'used', used)
  redis.call('PEXPIRE', limit.counter, periodEnd + DAY - now)
end

-- Requests or tokens counted this period. Call after rollPeriod.
local function periodUsed(limit)
  return tonumber(redis.call('HGET', limit.counter, 'used')) or 0
end

-- The pending reservation `id` on this counter: its amount, or nil.
local function periodPending(limit, id)
  local value = redis.call('HGET', limit.counter, 'p|' .. id)
  if value then return tonumber(string.match(value, '^(%d+)|')) end
  return nil
end
