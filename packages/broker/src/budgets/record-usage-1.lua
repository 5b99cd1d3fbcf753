--[[
  Adds one successful attempt to one usage hash, in one call rather than one command per
  counter (the counters are the broker's busiest writes after the job itself). Called once per
  hash: a day's, a tenant's day and a month's hash live in different Redis Cluster slots.

  Input:
    KEYS[1] the hash

    ARGV[1..5] cost, reference cost, input tokens, output tokens, requests
    ARGV[6] time to live of the hash, in seconds
    ARGV[7] 'all': every metric under each field prefix; 'cost': the cost only
    ARGV[8..] field prefixes ('total:', 'provider:<name>:', ...)

  Output: nothing
]]
local rcall = redis.call
local metrics = {'cost', 'ref', 'in', 'out', 'req'}
local last = ARGV[7] == 'cost' and 1 or #metrics

for argument = 8, #ARGV do
  local prefix = ARGV[argument]
  for index = 1, last do
    if index <= 2 then
      rcall('HINCRBYFLOAT', KEYS[1], prefix .. metrics[index], ARGV[index])
    else
      rcall('HINCRBY', KEYS[1], prefix .. metrics[index], ARGV[index])
    end
  end
end
rcall('EXPIRE', KEYS[1], ARGV[6])
