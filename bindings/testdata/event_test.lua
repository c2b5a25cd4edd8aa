local ev = require("event")

function TestFields(t)
  assert_eq(ev.MsgType, "event")
  assert_eq(ev.Event, "change_contact")
  assert_eq(ev.ChangeType, "create_user")
  assert_eq(ev.UserID, "xiaoming")
  assert_eq(ev.CreateTime, "1700000000", "numbers stay WeCom's text")
  assert_eq(ev.Department, "2,5", "lists stay WeCom's text")
  assert_eq(ev.Name, nil, "absent fields are nil")
end

function TestLists(t)
  assert_eq(ev.lists.Department, {2, 5})
  assert_eq(ev.lists.IsLeaderInDept, {0, 1})
  assert_eq(ev.lists.AddUserItems, nil)
end

function TestNested(t)
  assert_eq(#ev.ExtAttr.Item, 1)
  assert_eq(ev.ExtAttr.Item[1].Name, "工号")
  assert_eq(ev.ExtAttr.Item[1].Text.Value, "A1024")
end

function TestGlobalIsTheModule(t)
  assert_eq(rawequal(event, ev), true)
  assert_eq(rawequal(require("event"), ev), true)
end

function TestJSON(t)
  local json = require("json")
  local back = json.decode(json.encode(ev))
  assert_eq(back.UserID, "xiaoming")
end
