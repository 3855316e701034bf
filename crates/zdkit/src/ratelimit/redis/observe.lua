
-- observe: KEYS = one key per bucket of the permit.
-- ARGV = now, status (-1 none), retry_after (-1 none), reported count, then per permit
--        bucket: name, scoped (0/1), epoch, seq; then per reported window: name, limit,
--        remaining, reset (-1 = absent).
-- Returns per bucket: limit, remaining, reset_at, in_flight, closed_until, learned.
local now = tonumber(ARGV[1])
local status = tonumber(ARGV[2])
local retry_after = tonumber(ARGV[3])
local nrep = tonumber(ARGV[4])
local n = #KEYS
local permit, states = {}, {}
for i = 1, n do
  local base = 4 + (i - 1) * 4
  permit[i] = {name = ARGV[base + 1], scoped = tonumber(ARGV[base + 2]),
    epoch = tonumber(ARGV[base + 3]), seq = tonumber(ARGV[base + 4])}
  local b = load(KEYS[i])
  states[i] = b
  if b then
    b.flying[tostring(permit[i].seq)] = nil
    if status ~= NONE then b.probing = 0 end
    roll(b, now)
    purge(b, now)
  end
end
local reported = {}
for j = 1, nrep do
  local base = 4 + n * 4 + (j - 1) * 4
  reported[j] = {name = ARGV[base + 1], limit = tonumber(ARGV[base + 2]),
    remaining = tonumber(ARGV[base + 3]), reset = tonumber(ARGV[base + 4])}
end

-- The bucket of the permit a window reported under `name` describes (see Limiter::target).
local function target(name, w)
  local cands = {}
  for i = 1, n do if permit[i].name == name then cands[#cands + 1] = i end end
  if #cands == 0 then return nil end
  if #cands == 1 then return cands[1] end
  if w.limit ~= NONE then
    for _, i in ipairs(cands) do
      if states[i] and states[i].limit == w.limit then return i end
    end
  end
  local reset = (w.reset ~= NONE) and w.reset or 0
  local best, best_window = nil, nil
  for _, i in ipairs(cands) do
    local b = states[i]
    if b and b.window + GUARD >= reset and (best == nil or b.window < best_window) then
      best, best_window = i, b.window
    end
  end
  return best
end

for j = 1, nrep do
  local w = reported[j]
  local i = target(w.name, w)
  local b = i and states[i]
  if b then
    if w.limit ~= NONE and w.limit > 0 then
      if b.limit < 0 then b.remaining = w.limit end
      b.limit = w.limit
    end
    b.learned = 1
    local p = permit[i]
    if p.epoch == b.epoch and not (b.synced_seq ~= NONE and b.synced_seq > p.seq) then
      b.synced_seq = p.seq
      if w.reset ~= NONE then
        -- never beyond the bucket's own window (plus the guard), as in limiter.rs
        learn_reset(b, now + math.min(w.reset, b.window))
      end
      if w.remaining ~= NONE then
        local later = 0
        for s, _ in pairs(b.flying) do
          if tonumber(s) > p.seq then later = later + 1 end
        end
        b.remaining = math.max(w.remaining - later, 0)
      end
    end
  end
end

-- A 429: close the bucket at fault until Retry-After (see Limiter::close).
if status == 429 and retry_after ~= NONE then
  local targets = {}
  for j = 1, nrep do
    local w = reported[j]
    if w.remaining == 0 then
      local i = target(w.name, w)
      if i then targets[#targets + 1] = i end
    end
  end
  if #targets == 0 then
    for i = n, 1, -1 do
      if permit[i].scoped == 1 then targets[1] = i; break end
    end
  end
  if #targets == 0 then
    for i = 1, n do
      if permit[i].name == 'account' and permit[i].scoped == 0 then targets[1] = i; break end
    end
  end
  for _, i in ipairs(targets) do
    local b = states[i]
    if b then
      b.remaining = 0
      local untl = now + math.min(retry_after, b.window + GUARD)
      b.closed_until = math.max(b.closed_until, untl)
      local has_reset = false
      for j = 1, nrep do
        if reported[j].name == permit[i].name and reported[j].reset ~= NONE then has_reset = true; break end
      end
      if has_reset then
        b.reset_at = math.max(b.reset_at, untl)
      else
        b.reset_at = untl
        b.guard = 0
      end
    end
  end
end

local out = {}
for i = 1, n do
  local b = states[i]
  if b then
    save(KEYS[i], b, now)
    local inflight = 0
    for _ in pairs(b.flying) do inflight = inflight + 1 end
    out[#out + 1] = fmt(b.limit)
    out[#out + 1] = fmt(b.remaining)
    out[#out + 1] = fmt(b.reset_at)
    out[#out + 1] = fmt(inflight)
    out[#out + 1] = fmt(b.closed_until)
    out[#out + 1] = fmt(b.learned)
  else
    for _ = 1, 6 do out[#out + 1] = '-1' end
  end
end
return out
