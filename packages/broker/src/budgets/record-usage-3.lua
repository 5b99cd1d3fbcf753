--[[
  Adds one successful attempt to the usage hashes, in one call rather than one command per
  counter (the counters are the broker's busiest writes after the job itself).

  Input:
    KEYS[1] the day's hash
    KEYS[2] the tenant's day hash
    KEYS[3] the month's hash

    ARGV[1..5] cost, reference cost, input tokens, output tokens, requests
    ARGV[6..8] field prefixes of the provider, the route and the tenant ('provider:<name>:')
    ARGV[9] time to live of the three hashes, in seconds

  Output: nothing
]]
local rcall = redis.call
local metrics = {'cost', 'ref', 'in', 'out', 'req'}

local function add(key, prefix)
  for index, metric in ipairs(metrics) do
    if index <= 2 then
      rcall('HINCRBYFLOAT', key, prefix .. metric, ARGV[index])
    else
      rcall('HINCRBY', key, prefix .. metric, ARGV[index])
    end
  end
end

add(KEYS[1], 'total:')
add(KEYS[1], ARGV[6])
add(KEYS[1], ARGV[7])
add(KEYS[1], ARGV[8])
add(KEYS[2], 'total:')
add(KEYS[2], ARGV[6])
add(KEYS[2], ARGV[7])
rcall('HINCRBYFLOAT', KEYS[3], 'total:cost', ARGV[1])
rcall('HINCRBYFLOAT', KEYS[3], ARGV[8] .. 'cost', ARGV[1])
for index = 1, 3 do
  rcall('EXPIRE', KEYS[index], ARGV[9])
end
