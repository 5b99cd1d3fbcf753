--[[
  The synchronous fast path's first step (fast-path.ts): when the provider's queue has no
  backlog and a free slot, reserves the call's quota and, in the same atomic step, records the
  job as `running` on its first target, indexes it for the sweeper and leases the call to the
  process that makes it. Either all of that is written, or nothing.

  Every key in one script: a standalone Redis only (on a cluster the job, the queue and the
  quota live in different slots, and the fast path is off).

  Input (variadic: the fixed keys, then the limits' keys):
    KEYS[1]    job hash
    KEYS[2]    job attempt log (list)
    KEYS[3]    open jobs (sorted set: job id -> when the sweeper checks it)
    KEYS[4]    the provider's fast calls (sorted set: job id -> lease end, epoch ms)
    KEYS[5]    the provider queue's wait list (BullMQ)
    KEYS[6]    the provider queue's prioritized set (BullMQ)
    KEYS[7]    the provider queue's active list (BullMQ)
    KEYS[8]    the provider queue's meta hash (BullMQ: paused, concurrency)
    KEYS[9]    the provider queue's rate limiter (BullMQ: set by queue.rateLimit)
    KEYS[10]   the tenant's active jobs (tenant limits: the job is there once admitted)
    KEYS[11]   the provider's quota scale (as acquire-n.lua's KEYS[1])
    KEYS[12..] per limit, as acquire-n.lua's KEYS[2..]

    ARGV[1]    reservation id
    ARGV[2]    tokens to reserve on token limits
    ARGV[3]    hold (ms) of the reservation
    ARGV[4]    now (ms) for the quota, or '' for Redis server time
    ARGV[5]    the provider's concurrency
    ARGV[6]    now (ms, the caller's clock): lease ends before it have ended
    ARGV[7]    this lease's end (ms, the caller's clock)
    ARGV[8]    when the sweeper first checks the job (ms, the caller's clock)
    ARGV[9]    the limiter's max (a queue-wide pause sets the counter to it)
    ARGV[10]   the job id
    ARGV[11]   P, the number of job hash field/value pairs that follow
    ARGV[12..11+2P]   the pairs
    ARGV[12+2P]       A, the number of attempts (JSON) that follow, then the attempts
    then       per limit: unit, max, window (as acquire-n.lua's ARGV[5..])

  Output:
    {1}                        granted: the job is recorded, running, leased to the caller
    {0, retryAfterMs, index}   the quota refused (as acquire-n.lua); nothing written
    {-1, reason}               the queue has a backlog, is paused or is at its concurrency
                               ('backlog' | 'paused' | 'busy'), or the tenant's limits did
                               not admit the job ('not_admitted'); nothing written
    {-2}                       a job with this id exists; nothing written
]]
--- @include "common"
--- @include "sliding-window"
--- @include "fixed-window"
--- @include "acquire"

local rcall = redis.call
if rcall('EXISTS', KEYS[1]) == 1 then return { -2 } end
-- The tenant's admission is sent just before this script, on the same connection (one round
-- trip for both): it added the job to the tenant's active jobs unless it refused it.
if not rcall('ZSCORE', KEYS[10], ARGV[10]) then return { -1, 'not_admitted' } end

-- No backlog: a job that arrives now must not overtake the ones waiting.
if rcall('LLEN', KEYS[5]) + rcall('ZCARD', KEYS[6]) > 0 then return { -1, 'backlog' } end
local meta = rcall('HMGET', KEYS[8], 'paused')
if meta[1] then return { -1, 'paused' } end
local limiterMax = tonumber(ARGV[9])
if tonumber(rcall('GET', KEYS[9]) or 0) >= limiterMax and rcall('PTTL', KEYS[9]) > 0 then
  return { -1, 'paused' }
end
-- A slot: the queue's workers and the fast calls together stay within the concurrency.
local callerNow = tonumber(ARGV[6])
rcall('ZREMRANGEBYSCORE', KEYS[4], '-inf', callerNow)
if rcall('LLEN', KEYS[7]) + rcall('ZCARD', KEYS[4]) >= tonumber(ARGV[5]) then return { -1, 'busy' } end

local jobId = ARGV[10]
local pairCount = tonumber(ARGV[11])
local attemptsAt = 12 + pairCount * 2
local attemptCount = tonumber(ARGV[attemptsAt])
local limitsAt = attemptsAt + attemptCount + 1

local granted = acquireQuota(KEYS[11], 12, limitsAt, ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4])
if granted[1] ~= 1 then return granted end

rcall('HSET', KEYS[1], unpack(ARGV, 12, 11 + pairCount * 2))
if attemptCount > 0 then
  rcall('RPUSH', KEYS[2], unpack(ARGV, attemptsAt + 1, attemptsAt + attemptCount))
end
rcall('ZADD', KEYS[3], 'NX', ARGV[8], jobId)
rcall('ZADD', KEYS[4], ARGV[7], jobId)
keepFor(KEYS[4], tonumber(ARGV[7]) - callerNow)
return { 1 }
