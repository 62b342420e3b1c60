/**
 * @module access/counters/lua
 * Redis Lua scripts for the shared counters. Money travels as decimal text of the integer count
 * of 10^-24 USD and is added/compared as big decimal strings in Lua (7-digit limbs), so the
 * arithmetic is exact (Lua numbers are doubles). Keys per entity (5): budget hash {s spend,
 * r reserved, m period end, a alerted period}, reservations hash, reservation-expiry zset,
 * current rate window hash {c requests, t tokens}, in-flight zset.
 */

const BIGINT_LUA = `
local function norm(a)
  a = string.gsub(a, '^0+', '')
  if a == '' then return '0' end
  return a
end
local function cmp(a, b)
  if #a ~= #b then if #a < #b then return -1 else return 1 end end
  if a == b then return 0 end
  if a < b then return -1 else return 1 end
end
local function add(a, b)
  local out = {}
  local i, j, carry = #a, #b, 0
  while i > 0 or j > 0 or carry > 0 do
    local x, y = 0, 0
    if i > 0 then x = tonumber(string.sub(a, math.max(1, i - 6), i)); i = i - 7 end
    if j > 0 then y = tonumber(string.sub(b, math.max(1, j - 6), j)); j = j - 7 end
    local s = x + y + carry
    if s >= 10000000 then carry = 1; s = s - 10000000 else carry = 0 end
    table.insert(out, 1, string.format('%07d', s))
  end
  return norm(table.concat(out))
end
local function sub(a, b)
  if cmp(a, b) <= 0 then return '0' end
  local out = {}
  local i, j, borrow = #a, #b, 0
  while i > 0 do
    local x = tonumber(string.sub(a, math.max(1, i - 6), i)); i = i - 7
    local y = 0
    if j > 0 then y = tonumber(string.sub(b, math.max(1, j - 6), j)); j = j - 7 end
    local d = x - y - borrow
    if d < 0 then d = d + 10000000; borrow = 1 else borrow = 0 end
    table.insert(out, 1, string.format('%07d', d))
  end
  return norm(table.concat(out))
end
`;

/**
 * KEYS: 5 per entity. ARGV: now, requestId, amount, promptTokens, strict(1/0), expiresAt,
 * n, windowRetryMs, ceiling, then per entity: track(1/0), maxBudget|'', periodEnd, rpm, tpm,
 * parallel (-1 = none). A reservation is stored as "amount:ceiling"; the budget hash keeps the sum
 * of open ceilings in field h. Returns {0} | {1, i1, i2…} (unseeded, 1-based) | {2, i, kind, a, b}
 * | {2, i, 'budget_busy', spend, ceilings, inFlight}.
 */
export const RESERVE_LUA = `${BIGINT_LUA}
local now = tonumber(ARGV[1])
local req = ARGV[2]
local amount = ARGV[3]
local ptok = tonumber(ARGV[4])
local strict = ARGV[5] == '1'
local exp = tonumber(ARGV[6])
local n = tonumber(ARGV[7])
local winRetry = ARGV[8]
local ceiling = ARGV[9]
if cmp(ceiling, amount) < 0 then ceiling = amount end
local unseeded = {}
for e = 1, n do
  local base = 9 + (e - 1) * 6
  if ARGV[base + 1] == '1' and redis.call('HEXISTS', KEYS[(e - 1) * 5 + 1], 's') == 0 then
    table.insert(unseeded, e)
  end
end
if #unseeded > 0 then
  local out = {1}
  for _, e in ipairs(unseeded) do table.insert(out, e) end
  return out
end
local reserved = {}
local ceilings = {}
for e = 1, n do
  local k = (e - 1) * 5
  local kb, kr, kx, kw, kp = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  local base = 9 + (e - 1) * 6
  local track = ARGV[base + 1] == '1'
  local maxb = ARGV[base + 2]
  local pend = tonumber(ARGV[base + 3])
  local rpm = tonumber(ARGV[base + 4])
  local tpm = tonumber(ARGV[base + 5])
  local par = tonumber(ARGV[base + 6])
  if par >= 0 then
    redis.call('ZREMRANGEBYSCORE', kp, '-inf', now)
    local used = redis.call('ZCARD', kp)
    if used >= par then return {2, e, 'parallel', tostring(used), '1000'} end
  end
  if rpm >= 0 or tpm >= 0 then
    local c = tonumber(redis.call('HGET', kw, 'c') or '0')
    local t = tonumber(redis.call('HGET', kw, 't') or '0')
    if rpm >= 0 and c >= rpm then return {2, e, 'rpm', tostring(c), winRetry} end
    if tpm >= 0 and t >= tpm then return {2, e, 'tpm', tostring(t), winRetry} end
  end
  if track then
    local s = redis.call('HGET', kb, 's')
    local m = tonumber(redis.call('HGET', kb, 'm') or '0')
    if pend > m then
      s = '0'
      redis.call('HSET', kb, 's', '0', 'm', tostring(pend))
    end
    local r = redis.call('HGET', kb, 'r') or '0'
    local h = redis.call('HGET', kb, 'h') or '0'
    local expired = redis.call('ZRANGEBYSCORE', kx, '-inf', now)
    if #expired > 0 then
      for _, id in ipairs(expired) do
        local v = redis.call('HGET', kr, id)
        if v then
          local a, c = string.match(v, '^(%d+):(%d+)$')
          if not a then a = v; c = v end
          r = sub(r, a); h = sub(h, c)
          redis.call('HDEL', kr, id)
        end
        redis.call('ZREM', kx, id)
      end
      redis.call('HSET', kb, 'r', r, 'h', h)
    end
    if maxb ~= '' then
      if cmp(s, maxb) >= 0 then return {2, e, 'budget', s, r} end
      if strict and cmp(add(add(s, r), amount), maxb) > 0 then return {2, e, 'budget', s, r} end
      if strict then
        local open = redis.call('HLEN', kr)
        if open > 0 and cmp(add(add(s, h), ceiling), maxb) > 0 then
          return {2, e, 'budget_busy', s, h, tostring(open)}
        end
      end
    end
    reserved[e] = r
    ceilings[e] = h
  end
end
for e = 1, n do
  local k = (e - 1) * 5
  local kb, kr, kx, kw, kp = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  local base = 9 + (e - 1) * 6
  local track = ARGV[base + 1] == '1'
  local maxb = ARGV[base + 2]
  local rpm = tonumber(ARGV[base + 4])
  local tpm = tonumber(ARGV[base + 5])
  local par = tonumber(ARGV[base + 6])
  if par >= 0 then
    redis.call('ZADD', kp, exp, req)
    redis.call('PEXPIRE', kp, math.max(exp - now, 1000) + 60000)
  end
  if rpm >= 0 or tpm >= 0 or par >= 0 then
    redis.call('HINCRBY', kw, 'c', 1)
    redis.call('HINCRBY', kw, 't', ptok)
    redis.call('PEXPIRE', kw, 120000)
  end
  if track and maxb ~= '' and strict then
    redis.call('HSET', kb, 'r', add(reserved[e], amount), 'h', add(ceilings[e], ceiling))
    redis.call('HSET', kr, req, amount .. ':' .. ceiling)
    redis.call('ZADD', kx, exp, req)
  end
end
return {0}
`;

/**
 * KEYS: 5 per entity. ARGV: requestId, cost, extraTokens, n, then per entity: track(1/0),
 * softBudget|'', periodEnd, rate(1/0). Returns {i, spend, …} for soft budgets crossed.
 */
export const SETTLE_LUA = `${BIGINT_LUA}
local req = ARGV[1]
local cost = ARGV[2]
local extra = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local out = {}
for e = 1, n do
  local k = (e - 1) * 5
  local kb, kr, kx, kw, kp = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5]
  local base = 4 + (e - 1) * 4
  local track = ARGV[base + 1] == '1'
  local soft = ARGV[base + 2]
  local pend = tonumber(ARGV[base + 3])
  local rate = ARGV[base + 4] == '1'
  if rate then
    redis.call('ZREM', kp, req)
    if extra ~= 0 then
      redis.call('HINCRBY', kw, 't', extra)
      redis.call('PEXPIRE', kw, 120000)
    end
  end
  if track then
    local v = redis.call('HGET', kr, req)
    if v then
      local a, c = string.match(v, '^(%d+):(%d+)$')
      if not a then a = v; c = v end
      redis.call('HDEL', kr, req)
      redis.call('ZREM', kx, req)
      redis.call('HSET', kb, 'r', sub(redis.call('HGET', kb, 'r') or '0', a),
        'h', sub(redis.call('HGET', kb, 'h') or '0', c))
    end
    local s = redis.call('HGET', kb, 's')
    if s then
      local m = tonumber(redis.call('HGET', kb, 'm') or '0')
      if pend > m then s = '0'; m = pend; redis.call('HSET', kb, 'm', tostring(pend)) end
      s = add(s, cost)
      redis.call('HSET', kb, 's', s)
      if soft ~= '' and cmp(s, soft) >= 0 then
        local al = redis.call('HGET', kb, 'a')
        if al ~= tostring(m) then
          redis.call('HSET', kb, 'a', tostring(m))
          table.insert(out, e)
          table.insert(out, s)
        end
      end
    end
  end
end
return out
`;

/** KEYS: budget hash. ARGV: spend, periodEnd, mode ('missing' | 'max'). */
export const SEED_LUA = `${BIGINT_LUA}
local kb = KEYS[1]
local spend = ARGV[1]
local pend = ARGV[2]
if redis.call('HEXISTS', kb, 's') == 0 then
  redis.call('HSET', kb, 's', spend, 'm', pend)
  if redis.call('HEXISTS', kb, 'r') == 0 then redis.call('HSET', kb, 'r', '0') end
  return 1
end
if ARGV[3] == 'max' and redis.call('HGET', kb, 'm') == pend and cmp(spend, redis.call('HGET', kb, 's')) > 0 then
  redis.call('HSET', kb, 's', spend)
  return 2
end
return 0
`;

/** KEYS: budget hash. ARGV: periodEnd. */
export const RESET_PERIOD_LUA = `
local kb = KEYS[1]
if redis.call('HEXISTS', kb, 's') == 1 and tonumber(redis.call('HGET', kb, 'm') or '0') < tonumber(ARGV[1]) then
  redis.call('HSET', kb, 's', '0', 'm', ARGV[1])
  return 1
end
return 0
`;

/** KEYS: budget hash. ARGV: periodEnd. */
export const REBASE_LUA = `
if redis.call('HEXISTS', KEYS[1], 's') == 1 then redis.call('HSET', KEYS[1], 'm', ARGV[1]) return 1 end
return 0
`;

/** KEYS: budget hashes. Spend → 0 (where a counter exists), alert marker cleared. */
export const RESET_SPEND_LUA = `
for _, kb in ipairs(KEYS) do
  if redis.call('HEXISTS', kb, 's') == 1 then redis.call('HSET', kb, 's', '0', 'a', '-1') end
end
return #KEYS
`;
