package bindings

// wecom.menu: 自定义菜单.
//
// agent_id defaults to the client's agent id. menu_data is the menu as
// WeCom takes it: {button = {{type = "click", name = "签到", key = "CHECKIN"}, ...}}.

import "context"

// menuCreate is menu.create.
func menuCreate(a *args) call {
	return send(a, a.client.Menu.CreateRequest(a.int("agent_id"), menuData(a)))
}

// menuUpdate is menu.update: menu.delete, then menu.create.
func menuUpdate(a *args) call {
	c, id := a.client, a.int("agent_id")
	del, create := c.Menu.DeleteRequest(id), c.Menu.CreateRequest(id, menuData(a))
	return func(ctx context.Context) (any, error) {
		if _, err := do(ctx, c, del); err != nil {
			return nil, err
		}
		return do(ctx, c, create)
	}
}

// menuData is the required menu_data argument as a Go value.
func menuData(a *args) any {
	if !a.has("menu_data") {
		a.failArg("menu_data", "table expected, got nil")
	}
	return a.any("menu_data")
}
