
-- acquire: KEYS = one key per bucket of the request, then the account's clients hash.
-- ARGV = now, headroom, lease, lane (0 interactive, 1 normal, 2 background),
--        lane reserve, client id, hi-wait margin, eager (0/1), then per bucket: name, is_account,
--        limit (-1 = unpublished), window.
-- Returns {1, epoch, seq, ...} (granted) or {0, at, bucket, after_response}.
local now = tonumber(ARGV[1])
local headroom = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local lane = tonumber(ARGV[4])
local lane_reserve = tonumber(ARGV[5])
local client = ARGV[6]
local margin = tonumber(ARGV[7])
local eager = tonumber(ARGV[8]) == 1
local n = #KEYS - 1
local buckets = {}
local wait_at, wait_bucket, wait_after = nil, nil, false
for i = 1, n do
  local base = 8 + (i - 1) * 4
  local name = ARGV[base + 1]
  local b = load(KEYS[i])
  if not b then
    b = new_bucket(now, tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4]))
  end
  buckets[i] = b
  roll(b, now)
  purge(b, now)
  local r = ready_at(b, now, headroom, lane_reserve, eager)
  -- Background work yields to a waiting interactive request.
  if r == nil and lane == 2 and b.hi_wait ~= NONE and b.hi_wait > now then r = b.hi_wait end
  if r == PROBE then
    wait_at = wait_at or now
    wait_bucket = name
    wait_after = true
  elseif r ~= nil and (wait_at == nil or r > wait_at) then
    wait_at = r
    wait_bucket = name
  end
end
if wait_at then
  for i = 1, n do
    local b = buckets[i]
    if lane == 0 then b.hi_wait = math.max(b.hi_wait, wait_at + margin) end
    save(KEYS[i], b, now)
  end
  return {0, fmt(wait_at), wait_bucket, wait_after and 1 or 0}
end
local out = {1}
for i = 1, n do
  local b = buckets[i]
  local slot = schedule_slot(b, now, headroom, lane_reserve, eager)
  b.remaining = math.max(b.remaining - 1, 0)
  local seq = b.next_seq
  b.next_seq = seq + 1
  b.flying[tostring(seq)] = now + lease
  b.last_send = slot
  if lane == 0 then b.hi_wait = NONE end
  save(KEYS[i], b, now)
  out[#out + 1] = fmt(b.epoch)
  out[#out + 1] = fmt(seq)
end
-- Who uses what: per client, its lane and what it was granted in the account's window.
local ckey = KEYS[n + 1]
local raw = redis.call('HGET', ckey, client)
local c = raw and cmsgpack.unpack(raw) or {granted = 0, epoch = -1, total = 0}
local epoch = buckets[1].epoch
if c.epoch ~= epoch then c.granted = 0; c.epoch = epoch end
c.granted = c.granted + 1
c.total = c.total + 1
c.seen = now
c.lane = lane
redis.call('HSET', ckey, client, cmsgpack.pack(c))
redis.call('PEXPIRE', ckey, 3600000)
return out
