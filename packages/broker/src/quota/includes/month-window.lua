-- A calendar month (UTC): one counter per limit, a hash
--   month    the month it counts ('2026-11')
--   used     requests or tokens counted this month (pending reservations included)
--   p|<id>   '<amount>|<holdUntil>' for each pending reservation
-- When the month changes, the counter starts again from the pending reservations still
-- within their hold: their calls may be answered, and counted by the provider, in the
-- new month. The key expires a day after the month it counts ends.

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

-- Sets limit.label and limit.nextMonth; restarts the counter if it counts an earlier month.
local function rollMonth(limit, now)
  local label, nextMonth = monthOf(now)
  limit.label, limit.nextMonth = label, nextMonth
  local counted = redis.call('HGET', limit.counter, 'month')
  if not counted or counted >= label then return end -- (a clock that stepped back keeps its month)
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
  redis.call('HSET', limit.counter, 'month', label, 'used', used)
  redis.call('PEXPIRE', limit.counter, nextMonth + DAY - now)
end

-- Requests or tokens counted this month. Call after rollMonth.
local function monthUsed(limit)
  return tonumber(redis.call('HGET', limit.counter, 'used')) or 0
end

-- The pending reservation `id` on this counter: its amount, or nil.
local function monthPending(limit, id)
  local value = redis.call('HGET', limit.counter, 'p|' .. id)
  if value then return tonumber(string.match(value, '^(%d+)|')) end
  return nil
end
