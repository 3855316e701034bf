-- The limiter of `ratelimit/limiter.rs`, per bucket, as a Redis script (Lua 5.1).
-- Times are integer microseconds of the CALLER's clock (passed in ARGV), never the
-- server's. Each bucket is one key holding a cmsgpack blob (exact 64-bit integers).
-- Keep this file in step with limiter.rs: the same property tests run over both.

local PROBE = -2          -- "wait for a response to a request in flight"
local NONE = -1           -- an absent number
local U32_MAX = 4294967295
local GUARD = 1000000     -- RESET_GUARD, 1 s
local CATCH_UP_SLOTS = 4

local function new_bucket(now, is_account, limit, window)
  return {
    limit = limit, window = window,
    remaining = (limit >= 0) and limit or U32_MAX,
    reset_at = now + window, flying = {}, next_seq = 0, last_send = NONE,
    closed_until = NONE, epoch = 0, learned = 0, guard = 0,
    probing = is_account, synced_seq = NONE,
    -- lanes: until when a waiting interactive request holds background work back
    hi_wait = NONE,
  }
end

local function load(key)
  local raw = redis.call('GET', key)
  if not raw then return nil end
  local ok, b = pcall(cmsgpack.unpack, raw)
  if not ok or type(b) ~= 'table' or type(b.flying) ~= 'table' then return nil end
  return b
end

-- Keys live at least a minute past the window (real ms = virtual us / 1000 is at least
-- the time needed whenever the caller's clock runs at or faster than real time).
local function save(key, b, now)
  local horizon = math.max(b.reset_at, b.closed_until) - now + b.window
  local ttl = math.max(60000, math.floor(horizon / 1000))
  redis.call('SET', key, cmsgpack.pack(b), 'PX', ttl)
end

local function is_empty(t) return next(t) == nil end

-- Leases: a permit whose holder died (kill -9) is forgotten when its lease expires.
local function purge(b, now)
  for seq, expiry in pairs(b.flying) do
    if expiry <= now then b.flying[seq] = nil end
  end
end

local function roll(b, now)
  -- A reset further ahead than one window (+ guards), and no 429 closure, was written by a
  -- clock far ahead of ours (skew, another virtual clock): start afresh, don't wait for it.
  local closed = b.closed_until ~= NONE and b.closed_until > now
  if not closed and b.reset_at - now > b.window + 2 * GUARD then b.reset_at = now end
  if now < b.reset_at then return end
  b.epoch = b.epoch + 1
  b.remaining = (b.limit >= 0) and b.limit or U32_MAX
  b.last_send = NONE
  b.synced_seq = NONE
  local nxt = b.reset_at + b.window
  if nxt > now then b.reset_at = nxt else b.reset_at = now + b.window end
end

local function reserve_of(limit, fraction)
  return math.min(math.ceil(limit * fraction), math.max(limit - 1, 0))
end

-- The headroom plus the lane reserve pro rata of the window's time left (as
-- Bucket::reserve_fraction): the reserve is a rate, released as the window runs out.
local function reserve_fraction(b, now, headroom, lane_reserve)
  if lane_reserve <= 0 then return headroom end
  local left = math.max(b.reset_at - b.guard - now, 0)
  local frac = math.min(left / math.max(b.window, 1), 1)
  return math.min(headroom + lane_reserve * frac, 0.95)
end

-- nil when a request may go now, else when it may (or PROBE). eager: no spacing.
local function ready_at(b, now, headroom, lane_reserve, eager)
  if b.probing == 1 and not is_empty(b.flying) then return PROBE end
  local closed = nil
  if b.closed_until ~= NONE and b.closed_until > now then closed = b.closed_until end
  local paced = nil
  if b.limit >= 0 then
    local reserve = reserve_of(b.limit, reserve_fraction(b, now, headroom, lane_reserve))
    local available = math.max(b.remaining - reserve, 0)
    if available == 0 then
      if is_empty(b.flying) then paced = b.reset_at else paced = PROBE end
    elseif eager then
      if now >= b.reset_at - b.guard then paced = b.reset_at end
    elseif b.last_send ~= NONE then
      local pace_until = b.reset_at - b.guard
      if now >= pace_until then
        paced = b.reset_at
      else
        local nxt = b.last_send + math.floor(math.max(pace_until - b.last_send, 0) / (available + 1))
        if nxt > now then paced = nxt end
      end
    end
  end
  if closed and paced then
    if paced == PROBE then return PROBE end
    return math.max(closed, paced)
  end
  return closed or paced
end

local function schedule_slot(b, now, headroom, lane_reserve, eager)
  if eager or b.limit < 0 or b.last_send == NONE then return now end
  local reserve = reserve_of(b.limit, reserve_fraction(b, now, headroom, lane_reserve))
  local available = math.max(b.remaining - reserve, 0)
  local pace_until = b.reset_at - b.guard
  if available == 0 or now >= pace_until then return now end
  local step = math.floor(math.max(pace_until - b.last_send, 0) / (available + 1))
  local slot = b.last_send + step
  if slot > now then return now end
  return math.max(slot, now - step * CATCH_UP_SLOTS)
end

-- A window's end reported by a response (now + whole seconds left, rounded up): keep the
-- earliest bound seen for the same window (within half a window), as Bucket::learn_reset.
local function learn_reset(b, ending)
  local known = b.reset_at - b.guard
  if b.guard == GUARD and math.abs(ending - known) < math.floor(b.window / 2) then
    b.reset_at = math.min(known, ending) + GUARD
  else
    b.reset_at = ending + GUARD
  end
  b.guard = GUARD
end

local function fmt(n) return string.format('%d', n) end
