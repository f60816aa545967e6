-- wrk script of bench/ingest.py: one request body per call, by mode.
--
--   wrk -t1 -c8 -d10s -s bench/load.lua URL -- MODE KEY TAG
--
-- MODE:
--   pd           PagerDuty Events v2 trigger for /v2/enqueue (KEY is the routing key).
--                Odd requests carry a new dedup_key, even ones repeat an earlier one.
--   api1         the same events as Alertmanager alerts, one per POST /api/v2/alerts.
--   hook-repeat  Alertmanager webhook (payload version 4) of 100 alerts of one group,
--                cycling through 20 groups: after the first 20 requests every alert is a repeat.
--   api-repeat   the same alerts, 100 per POST /api/v2/alerts.
--   hook-new     webhook of 100 alerts never sent before, all of one group (alertname).
--   api-new      the same, 100 per POST /api/v2/alerts.
-- TAG (a number) keeps alert names and fingerprints of one run's measurements apart.
-- Needs one wrk thread (-t1): the counters that make keys unique live in the thread.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local mode, key, tag
local counter, fresh = 0, 0
local repeat_bodies = {}
local GROUPS, BATCH = 20, 100
local STARTS = os.date("!%Y-%m-%dT%H:%M:%SZ")

local function labels(name, instance)
  return string.format(
    '{"alertname":"%s","instance":"%s","job":"bench","severity":"critical","bench":"load"}',
    name, instance)
end

local function fingerprint(group, n)
  -- 16 characters from [0-9a-f], like Alertmanager's own fingerprints.
  return string.format("%04x%04x%08d", tag, group, n)
end

local function hook_alert(name, instance, fp)
  return string.format(
    '{"status":"firing","labels":%s,"annotations":{"summary":"%s on %s",' ..
    '"description":"bench alert"},"startsAt":"%s","endsAt":"0001-01-01T00:00:00Z",' ..
    '"generatorURL":"http://prometheus.example.com:9090/graph","fingerprint":"%s"}',
    labels(name, instance), name, instance, STARTS, fp)
end

local function api_alert(name, instance)
  return string.format(
    '{"labels":%s,"annotations":{"summary":"%s on %s","description":"bench alert"},' ..
    '"generatorURL":"http://prometheus.example.com:9090/graph"}',
    labels(name, instance), name, instance)
end

local function hook(name, alerts)
  return string.format(
    '{"receiver":"warroom","status":"firing","alerts":[%s],"groupLabels":{"alertname":"%s"},' ..
    '"commonLabels":{"alertname":"%s","job":"bench","severity":"critical","bench":"load"},' ..
    '"commonAnnotations":{"description":"bench alert"},' ..
    '"externalURL":"http://alertmanager.example.com:9093","version":"4",' ..
    '"groupKey":"{}:{alertname=\\"%s\\"}","truncatedAlerts":0}',
    table.concat(alerts, ","), name, name, name)
end

function init(args)
  mode, key, tag = args[1], args[2], tonumber(args[3])
  math.randomseed(tag)
  if mode == "hook-repeat" or mode == "api-repeat" then
    for g = 1, GROUPS do
      local name = string.format("BenchRepeat%d_%d", tag, g)
      local alerts = {}
      for i = 1, BATCH do
        local instance = string.format("host-%d", i)
        if mode == "hook-repeat" then
          alerts[i] = hook_alert(name, instance, fingerprint(g, i))
        else
          alerts[i] = api_alert(name, instance)
        end
      end
      repeat_bodies[g] = mode == "hook-repeat" and hook(name, alerts)
        or "[" .. table.concat(alerts, ",") .. "]"
    end
  end
end

function request()
  counter = counter + 1
  local body
  if mode == "pd" or mode == "api1" then
    local n
    if counter % 2 == 1 then
      fresh = fresh + 1
      n = fresh
    else
      n = math.random(1, fresh)
    end
    if mode == "pd" then
      body = string.format(
        '{"routing_key":"%s","event_action":"trigger","dedup_key":"bench-%d-%d",' ..
        '"payload":{"summary":"Disk full on host-%d","source":"host-%d.example.com",' ..
        '"severity":"critical","component":"disk","group":"bench","class":"disk"},' ..
        '"client":"bench"}',
        key, tag, n, n, n)
    else
      body = "[" .. api_alert(string.format("BenchDisk%d", tag), "host-" .. n) .. "]"
    end
  elseif mode == "hook-repeat" or mode == "api-repeat" then
    body = repeat_bodies[(counter - 1) % GROUPS + 1]
  elseif mode == "hook-new" or mode == "api-new" then
    local name = string.format("BenchNew%d", tag)
    local alerts = {}
    for i = 1, BATCH do
      fresh = fresh + 1
      local instance = "host-" .. fresh
      if mode == "hook-new" then
        alerts[i] = hook_alert(name, instance, fingerprint(0, fresh))
      else
        alerts[i] = api_alert(name, instance)
      end
    end
    body = mode == "hook-new" and hook(name, alerts) or "[" .. table.concat(alerts, ",") .. "]"
  else
    error("unknown mode " .. tostring(mode))
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"connect":%d,' ..
    '"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
