--[[
  Moves a job record from one state to another, atomically, and only when the job is
  where the caller believes it is. Every change of a job's status or target goes through
  this script, so two workers (or a worker and a canceller) can never both win.

  The record's fields have short names (record-fields.ts): `st` status, `tg` target, `tr`
  tries, `tn` tenant, `rs` result, `tx` the last applied transition's id.

  Input:
    KEYS[1] job hash
    KEYS[2] attempt list

    ARGV[1] expected target index, or '' for any
    ARGV[2] allowed current statuses, comma separated (e.g. 'queued,running')
    ARGV[3] new status
    ARGV[4] fields to set: a JSON object of string values ('{}' for none); a long value comes
            in pieces (`<field>`, `<field>:1`, ...: record-pieces.ts), and pieces of a field's
            earlier, longer value are removed
    ARGV[5] attempt to append, as JSON, or '' for none
    ARGV[6] retention in ms, applied to both keys when the new status is terminal
    ARGV[7] pub/sub channel for job events ('' for none)
    ARGV[8] increment for the tries (`tr`, 0 or 1)
    ARGV[9] this transition's unique id, kept in the record's `tx` once applied

  Output:
    {1, status, tenant, resultBytes}
                                 applied (now, or already: the same id was applied before);
                                 the job's tenant and its result's length in bytes, for the
                                 tenant's limits once the job is terminal
    {0, status, target}          refused; the job's current status and target
    {-1}                         no such job

  The same call can arrive twice: a client that lost the connection before the reply (Redis
  restarted) sends it again once reconnected. The id makes the second arrival answer "applied"
  instead of "refused" (the job is no longer where the caller believed), so the caller carries
  on with what it applied rather than give the job up.
]]
local rcall = redis.call
local jobKey = KEYS[1]

-- Bytes of a field's value, over all its pieces (a piece is never empty).
local function valueBytes(field)
  local bytes, index = 0, 0
  local piece = rcall('HSTRLEN', jobKey, field)
  while piece > 0 do
    bytes = bytes + piece
    index = index + 1
    piece = rcall('HSTRLEN', jobKey, field .. ':' .. index)
  end
  return bytes
end

local current = rcall('HMGET', jobKey, 'st', 'tg', 'id', 'tx', 'tn')
local status, target, id, tenant = current[1], current[2], current[3], current[5] or ''
if not status then
  return {-1}
end
if ARGV[9] ~= '' and current[4] == ARGV[9] then
  return {1, status, tenant, valueBytes('rs')}
end

local allowed = false
for candidate in string.gmatch(ARGV[2], '([^,]+)') do
  if candidate == status then
    allowed = true
  end
end
if not allowed or (ARGV[1] ~= '' and ARGV[1] ~= target) then
  return {0, status, target}
end

local newStatus = ARGV[3]
local fields = cjson.decode(ARGV[4])
local pairsToSet = {'st', newStatus, 'tx', ARGV[9]}
for field, value in pairs(fields) do
  table.insert(pairsToSet, field)
  table.insert(pairsToSet, value)
end
rcall('HSET', jobKey, unpack(pairsToSet))
-- A value shorter than the one it replaces: its earlier value's further pieces go.
for field in pairs(fields) do
  if not string.find(field, ':', 1, true) then
    local index = 1
    while fields[field .. ':' .. index] do
      index = index + 1
    end
    while rcall('HDEL', jobKey, field .. ':' .. index) == 1 do
      index = index + 1
    end
  end
end
if ARGV[8] == '1' then
  rcall('HINCRBY', jobKey, 'tr', 1)
end
if ARGV[5] ~= '' then
  rcall('RPUSH', KEYS[2], ARGV[5])
end

if newStatus == 'succeeded' or newStatus == 'failed' or newStatus == 'cancelled' then
  local retention = tonumber(ARGV[6])
  rcall('PEXPIRE', jobKey, retention)
  rcall('PEXPIRE', KEYS[2], retention)
end
if ARGV[7] ~= '' and newStatus ~= status then
  rcall('PUBLISH', ARGV[7], id .. ' ' .. newStatus)
end
return {1, newStatus, tenant, valueBytes('rs')}
