-- wrk script for bench/ingest.py: replays pre-signed webhook deliveries, each request with a
-- delivery id of its own (X-GitHub-Delivery is not covered by the signature, so one signed
-- body can carry any number of deliveries; GitHub's own redeliveries keep the id, which is
-- what makes a fresh id per request a fresh delivery).
--
--   wrk -s signed_requests.lua URL -- REQUESTS_FILE PREFIX
--
-- REQUESTS_FILE holds records "<event>\n<signature>\n<byte length>\n<body>\n"; PREFIX is 8
-- hex digits that start every delivery id of this run, so the bench can count them after.

local items = {}
local next_item = 1
local counter = 0
local prefix = "00000000"
thread_id = 0 -- a global: setup() sets it in each thread's environment
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local function load(path)
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  local at = 1
  while at <= #data do
    local event_end = data:find("\n", at, true)
    local event = data:sub(at, event_end - 1)
    local sig_end = data:find("\n", event_end + 1, true)
    local signature = data:sub(event_end + 1, sig_end - 1)
    local len_end = data:find("\n", sig_end + 1, true)
    local length = tonumber(data:sub(sig_end + 1, len_end - 1))
    local body = data:sub(len_end + 1, len_end + length)
    table.insert(items, { event = event, signature = signature, body = body })
    at = len_end + length + 2
  end
end

function init(args)
  load(args[1])
  prefix = args[2]
  -- Threads start at different items, so they do not send the same bodies in step.
  next_item = (thread_id * 7919) % #items + 1
end

function request()
  local item = items[next_item]
  next_item = next_item % #items + 1
  counter = counter + 1
  local delivery = string.format("%s-%04x-4000-8000-%012x", prefix, thread_id, counter)
  return wrk.format("POST", "/github/webhook", {
    ["Content-Type"] = "application/json",
    ["X-GitHub-Event"] = item.event,
    ["X-GitHub-Delivery"] = delivery,
    ["X-Hub-Signature-256"] = item.signature,
  }, item.body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non_2xx": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
