-- wrk script of `npm run bench:api`: GET /api/customers/{id}/360 for customers spread over the
-- whole base (Knuth's multiplicative hash, as bench/api-load.ts), with the bench's API token.
-- env BENCH_TOKEN, BENCH_CUSTOMERS
local n = tonumber(os.getenv("BENCH_CUSTOMERS"))
wrk.headers["authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local seq = 0
request = function()
  seq = seq + 1
  local i = 1 + (seq * 2654435761) % n
  return wrk.format("GET", string.format("/api/customers/B%07d/360", i))
end
