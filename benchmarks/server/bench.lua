-- wrk script for scripts/bench-server: rotates the bench users and checks who served each
-- response.
--   BENCH_USERS  "name|Basic-credentials|uid,..." (credentials empty: no Authorization header)
--   BENCH_MODE   get | put          BENCH_PREFIX  path before /<user>/ ("/files" or "")
--   BENCH_ROTATE request (the next user on every request, so a connection changes user
--                between requests) | thread (each wrk thread keeps one user)
--   BENCH_CHECK  uid  (X-Served-As must be the uid of the file's owner: for GET the uid the
--                      file names on its first line, for PUT the uid of the user it was sent as)
--                zero (X-Served-As must be 0: the server works as itself)
--                none (no header; only the status counts: the files are 0600 per user, so a
--                      response served as any other account would be 403)
local users, mode = {}, os.getenv("BENCH_MODE") or "get"
local prefix, rotate = os.getenv("BENCH_PREFIX") or "/files", os.getenv("BENCH_ROTATE") or "request"
local check = os.getenv("BENCH_CHECK") or "uid"
for entry in string.gmatch(os.getenv("BENCH_USERS") or "", "[^,]+") do
    local name, auth, uid = entry:match("^([^|]*)|([^|]*)|([^|]*)$")
    table.insert(users, { name = name, auth = auth, uid = uid })
end
local body = string.rep("p", 4096)

local threads, index = {}, 0
function setup(thread)
    index = index + 1
    thread:set("thread_index", index)
    table.insert(threads, thread)
end

function init(args)
    counter, responses, mismatches, failures = 0, 0, 0, 0
    pending = {}
end

local function pick()
    if rotate == "thread" then return users[((thread_index - 1) % #users) + 1] end
    counter = counter + 1
    return users[(counter % #users) + 1]
end

function request()
    local u = pick()
    local headers = {}
    if u.auth ~= "" then headers["Authorization"] = u.auth end
    if mode == "put" then
        -- PUT responses carry no body: remember whose requests are outstanding, by uid.
        pending[u.uid] = (pending[u.uid] or 0) + 1
        return wrk.format("PUT", prefix .. "/" .. u.name .. "/put.bin", headers, body)
    end
    return wrk.format("GET", prefix .. "/" .. u.name .. "/get.bin", headers)
end

function response(status, headers, body)
    responses = responses + 1
    if status ~= 200 and status ~= 201 and status ~= 204 then failures = failures + 1 end
    local served
    for k, v in pairs(headers) do if string.lower(k) == "x-served-as" then served = v end end
    if check == "zero" then
        if served ~= "0" then mismatches = mismatches + 1 end
    elseif check == "uid" then
        if mode == "get" then
            local owner = body and body:match("^uid=(%d+)")
            if served == nil or served ~= owner then mismatches = mismatches + 1 end
        else
            -- Served as a user with a request outstanding in this thread; only that user
            -- may write the file (its folder is 0755 and its own), so 204 proves the rest.
            if served == nil or (pending[served] or 0) == 0 then mismatches = mismatches + 1
            else pending[served] = pending[served] - 1 end
        end
    end
end

function done(summary, latency, requests)
    local r, m, f = 0, 0, 0
    for _, t in ipairs(threads) do
        r = r + t:get("responses"); m = m + t:get("mismatches"); f = f + t:get("failures")
    end
    io.write(string.format("BENCH responses=%d mismatches=%d failures=%d requests_per_s=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
        r, m, f, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status))
end
