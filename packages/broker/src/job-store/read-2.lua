--[[
  Reads a job: its hash and its attempt log, in one atomic step (a transition changes both
  together, so a reader never sees one without the other).

  A script rather than MULTI/EXEC: ioredis batches scripts with the other commands of the same
  tick on one write (auto-pipelining), where a transaction always takes a write of its own.

  Input:
    KEYS[1] job hash
    KEYS[2] attempts list

    ARGV    none

  Output:
    {hash as a flat field/value array, attempts}
]]
return {redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1)}
