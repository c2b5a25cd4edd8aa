package wecom_test

import (
	"context"
	"fmt"

	"github.com/wecomrunner/runner/wecom"
	"github.com/wecomrunner/runner/wecom/emulator"
)

func Example() {
	srv, err := emulator.Start(emulator.DemoOrg())
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	app := srv.Credentials().Apps[0]

	ctx := context.Background()
	c := wecom.New(srv.Credentials().CorpID, app.Secret, wecom.WithBaseURL(srv.BaseURL()), wecom.WithAgentID(app.AgentID))
	u, err := c.User.Get(ctx, "zhangsan")
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Name, u.Position)

	_, err = c.User.Get(ctx, "nobody")
	fmt.Println(wecom.IsCode(err, wecom.CodeUserNotFound))

	res, err := c.Message.Send(ctx, &wecom.Message{
		AgentID: app.AgentID,
		ToUser:  []string{"zhangsan", "nobody"},
		Content: wecom.TextContent{Content: "日报已生成"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("invalid: %q\n", res.InvalidUser)
	// Output:
	// 张三 研发总监
	// true
	// invalid: "nobody"
}
