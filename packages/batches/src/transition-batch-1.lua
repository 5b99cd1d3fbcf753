--[[
  Changes a batch record only when its status is one the caller expects, atomically, so two
  processes finishing, cancelling or submitting the same batch can never both win.

  Input:
    KEYS[1]    batch hash

    ARGV[1]    allowed current statuses, comma separated (e.g. 'validating,in_progress')
    ARGV[2]    new status, or '' to keep the status and only set fields
    ARGV[3..]  field, value, field, value... to set (none is fine)

  Output:
    {1, status}   applied; the status now
    {0, status}   refused; the current status
    {-1}          no such batch
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if not status then
  return {-1}
end

local allowed = false
for candidate in string.gmatch(ARGV[1], '[^,]+') do
  if candidate == status then
    allowed = true
  end
end
if not allowed then
  return {0, status}
end

if ARGV[2] ~= '' then
  status = ARGV[2]
  rcall('HSET', KEYS[1], 'status', status)
end
if #ARGV > 2 then
  rcall('HSET', KEYS[1], unpack(ARGV, 3))
end
return {1, status}
