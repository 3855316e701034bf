
-- inspect (read only): KEYS[1] = the account's clients hash; ARGV[1] = the pattern of
-- its bucket keys; ARGV[2] = the length of their prefix. Returns the bucket count, then per bucket: name, limit, remaining,
-- reset_at, in_flight, closed_until, learned; then the client count, then per client:
-- id, lane, granted in its last window, granted in total, last seen.
local out = {'0'}
local nb = 0
local cursor = '0'
local prefix_len = tonumber(ARGV[2])
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = r[1]
  for _, key in ipairs(r[2]) do
    if key ~= KEYS[1] then
      local b = load(key)
      if b then
        local inflight = 0
        for _ in pairs(b.flying) do inflight = inflight + 1 end
        nb = nb + 1
        out[#out + 1] = string.sub(key, prefix_len + 1)
        out[#out + 1] = fmt(b.limit)
        out[#out + 1] = fmt(b.remaining)
        out[#out + 1] = fmt(b.reset_at)
        out[#out + 1] = fmt(inflight)
        out[#out + 1] = fmt(b.closed_until)
        out[#out + 1] = fmt(b.learned)
      end
    end
  end
until cursor == '0'
out[1] = fmt(nb)
local all = redis.call('HGETALL', KEYS[1])
out[#out + 1] = fmt(#all / 2)
for i = 1, #all, 2 do
  local ok, c = pcall(cmsgpack.unpack, all[i + 1])
  if not ok or type(c) ~= 'table' then c = {} end
  out[#out + 1] = all[i]
  out[#out + 1] = fmt(c.lane or 1)
  out[#out + 1] = fmt(c.granted or 0)
  out[#out + 1] = fmt(c.total or 0)
  out[#out + 1] = fmt(c.seen or 0)
end
return out
