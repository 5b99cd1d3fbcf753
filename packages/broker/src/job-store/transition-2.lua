--[[
  Moves a job record from one state to another, atomically, and only when the job is
  where the caller believes it is. Every change of a job's status or target goes through
  this script, so two workers (or a worker and a canceller) can never both win.

  Input:
    KEYS[1] job hash
    KEYS[2] attempt list

    ARGV[1] expected target index, or '' for any
    ARGV[2] allowed current statuses, comma separated (e.g. 'queued,running')
    ARGV[3] new status
    ARGV[4] fields to set: a JSON object of string values ('{}' for none)
    ARGV[5] attempt to append, as JSON, or '' for none
    ARGV[6] retention in ms, applied to both keys when the new status is terminal
    ARGV[7] pub/sub channel for job events ('' for none)
    ARGV[8] increment for the `tries` field (0 or 1)
    ARGV[9] this transition's unique id, kept in the job's `transition` field once applied

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

local current = rcall('HMGET', jobKey, 'status', 'target', 'id', 'transition', 'tenant')
local status, target, id, tenant = current[1], current[2], current[3], current[5] or ''
if not status then
  return {-1}
end
if ARGV[9] ~= '' and current[4] == ARGV[9] then
  return {1, status, tenant, rcall('HSTRLEN', jobKey, 'result')}
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
local pairsToSet = {'status', newStatus, 'transition', ARGV[9]}
for field, value in pairs(fields) do
  table.insert(pairsToSet, field)
  table.insert(pairsToSet, value)
end
rcall('HSET', jobKey, unpack(pairsToSet))
if ARGV[8] == '1' then
  rcall('HINCRBY', jobKey, 'tries', 1)
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
return {1, newStatus, tenant, rcall('HSTRLEN', jobKey, 'result')}
