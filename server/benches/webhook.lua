-- wrk script for the webhook ingest benchmark's serve mode (see server/BENCHMARKS.md): posts
-- e-conomic's product webhook body, a new product number each time, as a form.
local counter = 0

request = function()
  counter = counter + 1
  local number = "W" .. counter
  return wrk.format("POST", nil,
    { ["Content-Type"] = "application/x-www-form-urlencoded" },
    number .. "&" .. number)
end
