local env = require("env")

function TestGetAllowed(t)
  assert_eq(env.get("HR_URL"), "https://hr.example.com")
  assert_eq(env.get("EMPTY"), nil)
end

function TestGetRefused(t)
  local err = fails(env.get, "WECOM_SECRET")
  assert_eq(string.find(err, 'env.get: the variable "WECOM_SECRET" is not in the allow-list of this run', 1, true) ~= nil, true, err)
end
