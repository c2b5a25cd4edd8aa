package emulator

import "fmt"

// The demo organisation's fixed identifiers and secrets. They are not
// secret: they exist only inside the emulator.
const (
	// DemoCorpID is the demo organisation's corp id.
	DemoCorpID = "ww7d0a5c1e2f3b4a69"
	// DemoContactsSecret is the demo organisation's contacts-sync secret.
	DemoContactsSecret = "cS9kL2mQ7vX4pR8tW1nB6yH3jF5gD0aZ2eU7iO4sK1c"
	// DemoOpsAgentID is the agent id of the demo app 运维助手, visible to the
	// whole organisation.
	DemoOpsAgentID = 1000002
	// DemoOpsSecret is the secret of the demo app 运维助手.
	DemoOpsSecret = "oP4sR7tU1vW3xY6zA9bC2dE5fG8hJ0kL3mN6pQ9rS2t"
	// DemoReportAgentID is the agent id of the demo app 日报, visible to the
	// 研发中心 department tree, 王五 and the tag 技术委员会.
	DemoReportAgentID = 1000003
	// DemoReportSecret is the secret of the demo app 日报.
	DemoReportSecret = "rD5bT8yN2mK6wQ9xV3cJ7hF1gL4pZ0aS8eR2uI5oW1n"
)

// DemoOrg returns the built-in demo organisation 腾飞科技: 13 departments
// over three levels, 40 members, 3 tags, the contacts-sync secret, two apps
// (DemoOpsAgentID visible to everyone, DemoReportAgentID with a narrower
// range), a service provider with one suite, and one app chat. Each call
// returns a fresh copy.
func DemoOrg() *Org {
	org := &Org{
		CorpID:         DemoCorpID,
		CorpName:       "腾飞科技",
		ContactsSecret: DemoContactsSecret,
		Provider: &Provider{
			CorpID: "ww3a9f1c0b7d2e5a18",
			Secret: "pV7nM2kQ9wE4rT6yU1iO3pA5sD8fG0hJ2kL4zX6cV8b",
			Suites: []Suite{{
				SuiteID: "ww1f2e3d4c5b6a7980",
				Secret:  "sT3uV6wX9yZ2aB5cD8eF1gH4iJ7kL0mN3oP6qR9sT2u",
				Ticket:  "Cfp0_givEagXcYJIztF6sfbdmIZCmpaR8ZBsvJEFFNBrWmnD5-CGYJ3_NhYexMyw",
			}},
		},
		Apps: []App{
			{
				AgentID:        DemoOpsAgentID,
				Name:           "运维助手",
				Secret:         DemoOpsSecret,
				Description:    "服务器告警、值班提醒与运维工单",
				SquareLogoURL:  "https://p.qlogo.cn/bizmail/ops/0",
				HomeURL:        "https://ops.tengfei.example.com",
				RedirectDomain: "ops.tengfei.example.com",
				AllowParties:   []int{1},
				// Created before 2022-06-20: it still reads sensitive fields.
				SensitiveFields: true,
			},
			{
				AgentID:        DemoReportAgentID,
				Name:           "日报",
				Secret:         DemoReportSecret,
				Description:    "研发日报收集与汇总",
				SquareLogoURL:  "https://p.qlogo.cn/bizmail/daily/0",
				HomeURL:        "https://daily.tengfei.example.com",
				RedirectDomain: "daily.tengfei.example.com",
				AllowParties:   []int{2},
				AllowUsers:     []string{"wangwu"},
				AllowTags:      []int{1},
			},
		},
		Departments: []Department{
			{ID: 1, Name: "腾飞科技", NameEn: "Tengfei", ParentID: 0, Order: 100000000},
			{ID: 2, Name: "研发中心", NameEn: "R&D", ParentID: 1, Order: 99999000},
			{ID: 3, Name: "后端开发部", NameEn: "Backend", ParentID: 2, Order: 99998000},
			{ID: 4, Name: "前端开发部", NameEn: "Frontend", ParentID: 2, Order: 99997000},
			{ID: 5, Name: "测试部", NameEn: "QA", ParentID: 2, Order: 99996000},
			{ID: 6, Name: "运维部", NameEn: "Operations", ParentID: 2, Order: 99995000},
			{ID: 7, Name: "产品部", NameEn: "Product", ParentID: 1, Order: 99994000},
			{ID: 8, Name: "市场部", NameEn: "Marketing", ParentID: 1, Order: 99993000},
			{ID: 9, Name: "华东销售部", NameEn: "Sales East", ParentID: 8, Order: 99992000},
			{ID: 10, Name: "华南销售部", NameEn: "Sales South", ParentID: 8, Order: 99991000},
			{ID: 11, Name: "人力资源部", NameEn: "HR", ParentID: 1, Order: 99990000},
			{ID: 12, Name: "财务部", NameEn: "Finance", ParentID: 1, Order: 99989000},
			{ID: 13, Name: "行政部", NameEn: "Admin", ParentID: 1, Order: 99988000},
		},
		Tags: []Tag{
			{ID: 1, Name: "技术委员会", Users: []string{"zhangsan", "liuyang", "huangli", "xuming", "jiangtao"}},
			{ID: 2, Name: "新员工", Users: []string{"zhaoliu", "pengbo", "caoying", "panyue", "yuanhang"}},
			{ID: 3, Name: "值班", Users: []string{"hutao"}, Parties: []int{6}, Owner: DemoOpsAgentID},
		},
		AppChats: []AppChat{{
			ChatID:  "OPSONCALL2024",
			Name:    "运维值班群",
			Owner:   "xuming",
			Users:   []string{"xuming", "sunhao", "zengli", "zhangsan"},
			AgentID: DemoOpsAgentID,
		}},
	}

	type person struct {
		id, name, position, gender string
		dept                       []int
		leader                     bool
	}
	people := []person{
		{"zhangwei", "张伟", "总经理", "1", []int{1}, true},
		{"zhangsan", "张三", "研发总监", "1", []int{2}, true},
		{"lisi", "李四", "后端工程师", "1", []int{3}, false},
		{"wangwu", "王五", "产品经理", "1", []int{7}, false},
		{"zhaoliu", "赵六", "测试工程师", "1", []int{5}, false},
		{"chenjing", "陈静", "人力资源经理", "2", []int{11}, true},
		{"liuyang", "刘洋", "后端组长", "1", []int{3}, true},
		{"yangfan", "杨帆", "后端工程师", "1", []int{3}, false},
		{"huangli", "黄丽", "前端组长", "2", []int{4}, true},
		{"zhoujie", "周杰", "前端工程师", "1", []int{4}, false},
		{"wuxia", "吴霞", "测试组长", "2", []int{5}, true},
		{"xuming", "徐明", "运维主管", "1", []int{6}, true},
		{"sunhao", "孙浩", "运维工程师", "1", []int{6}, false},
		{"maxiaoyu", "马晓雨", "产品总监", "2", []int{7}, true},
		{"zhuli", "朱丽", "产品经理", "2", []int{7}, false},
		{"hutao", "胡涛", "市场总监", "1", []int{8}, true},
		{"guoqiang", "郭强", "华东销售经理", "1", []int{9}, true},
		{"linfeng", "林峰", "销售代表", "1", []int{9}, false},
		{"heyan", "何燕", "销售代表", "2", []int{9}, false},
		{"gaoyuan", "高远", "华南销售经理", "1", []int{10}, true},
		{"luojun", "罗军", "销售代表", "1", []int{10}, false},
		{"liangchen", "梁晨", "销售代表", "2", []int{10}, false},
		{"songjia", "宋佳", "招聘专员", "2", []int{11}, false},
		{"zhenghui", "郑辉", "财务经理", "1", []int{12}, true},
		{"xieting", "谢婷", "会计", "2", []int{12}, false},
		{"hanmei", "韩梅", "出纳", "2", []int{12}, false},
		{"tangwen", "唐文", "后端工程师", "1", []int{3}, false},
		{"fengyi", "冯毅", "后端工程师", "1", []int{3}, false},
		{"dengchao", "邓超", "前端工程师", "1", []int{4}, false},
		{"caoying", "曹颖", "前端工程师", "2", []int{4}, false},
		{"pengbo", "彭博", "测试工程师", "1", []int{5}, false},
		{"zengli", "曾莉", "运维工程师", "2", []int{6}, false},
		{"xiaoyu", "萧雨", "交互设计师", "2", []int{7}, false},
		{"tianye", "田野", "市场专员", "1", []int{8}, false},
		{"dongxue", "董雪", "销售代表", "2", []int{9}, false},
		{"yuanhang", "袁航", "销售代表", "1", []int{10}, false},
		{"panyue", "潘悦", "培训专员", "2", []int{11}, false},
		{"jiangtao", "蒋涛", "首席架构师", "1", []int{2, 3}, false},
		{"caixin", "蔡欣", "行政主管", "2", []int{13}, true},
		{"weiwei", "魏巍", "行政专员", "1", []int{13}, false},
	}
	for i, p := range people {
		u := User{
			UserID:         p.id,
			Name:           p.name,
			Department:     p.dept,
			Order:          make([]int, len(p.dept)),
			IsLeaderInDept: make([]int, len(p.dept)),
			MainDepartment: p.dept[0],
			Position:       p.position,
			Mobile:         fmt.Sprintf("1380013%04d", 8001+i),
			Gender:         p.gender,
			Email:          p.id + "@tengfei.example.com",
			BizMail:        p.id + "@tengfei.wecom.work",
			Telephone:      fmt.Sprintf("021-6088%04d", 1001+i),
			Status:         1,
		}
		if p.leader {
			u.IsLeaderInDept[0] = 1
		}
		switch p.id {
		case "zhangwei":
			u.Creator = true
			u.Alias = "David"
		case "zhangsan":
			u.Alias = "jackzhang"
			u.DirectLeader = []string{"zhangwei"}
			u.Address = "上海市浦东新区张江路88号"
		case "lisi", "yangfan", "tangwen", "fengyi":
			u.DirectLeader = []string{"liuyang"}
		case "panyue":
			u.Status = 4 // invited, not yet activated
		case "weiwei":
			u.Status = 2 // disabled
		}
		org.Users = append(org.Users, u)
	}
	return org
}
