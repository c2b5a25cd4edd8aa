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
	// DemoCustomerAgentID is the agent id of the demo app 客户助手, configured
	// to call the customer contact API (客户联系 → 可调用应用) and visible to
	// the 市场部 department tree, where the salespeople are.
	DemoCustomerAgentID = 1000004
	// DemoCustomerSecret is the secret of the demo app 客户助手.
	DemoCustomerSecret = "kH6cV9bN3mQ7wE1rT4yU8iO2pA5sD0fG3hJ6kL9zX2c"
	// DemoRobotKey is the webhook key of the demo group robot 运维告警.
	DemoRobotKey = "5b0e7c1a-3f9d-4e62-8a17-c24d9f6e0b38"
	// DemoCallbackToken and DemoCallbackAESKey are the Token and
	// EncodingAESKey of the demo contacts sync's callback; its URL is unset
	// until SetCallback.
	DemoCallbackToken  = "tF7qW2eR9tY4"
	DemoCallbackAESKey = "kT3nV8bX1cZ6mQ9wE2rY5uI7oP0aS4dF6gH8jK1lL3w"
)

// DemoOrg returns the built-in demo organisation 腾飞科技: 13 departments
// over three levels, 40 members, 3 tags, the contacts-sync secret, three
// apps (DemoOpsAgentID visible to everyone, DemoReportAgentID with a
// narrower range, DemoCustomerAgentID for customer contact), a service
// provider with one suite, one app chat, one group robot (DemoRobotKey), and
// the customers and customer groups of the salespeople (see demoCustomers).
// Each call returns a fresh copy.
func DemoOrg() *Org {
	org := &Org{
		CorpID:         DemoCorpID,
		CorpName:       "腾飞科技",
		ContactsSecret: DemoContactsSecret,
		Callback:       &Callback{Token: DemoCallbackToken, EncodingAESKey: DemoCallbackAESKey},
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
				// Created with the corp, after 2022-06-20: it reads no
				// mobile, email or other sensitive field (see fullView).
				AllowParties: []int{1},
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
			{
				AgentID:         DemoCustomerAgentID,
				Name:            "客户助手",
				Secret:          DemoCustomerSecret,
				Description:     "客户交接与客户标签管理",
				SquareLogoURL:   "https://p.qlogo.cn/bizmail/customer/0",
				HomeURL:         "https://crm.tengfei.example.com",
				RedirectDomain:  "crm.tengfei.example.com",
				AllowParties:    []int{8},
				ExternalContact: true,
			},
			{
				AgentID:        DemoOAAgentID,
				Name:           "行政助手",
				Secret:         DemoOASecret,
				Description:    "审批、假期与考勤",
				SquareLogoURL:  "https://p.qlogo.cn/bizmail/oa/0",
				HomeURL:        "https://oa.tengfei.example.com",
				RedirectDomain: "oa.tengfei.example.com",
				AllowParties:   []int{1},
				Approval:       true,
				Checkin:        true,
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
		Robots: []Robot{{Key: DemoRobotKey, Name: "运维告警"}},
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
	org.ExternalContact = demoCustomers()
	org.OA = demoOA()
	return org
}

// demoCustomers is the customer contact data of the demo organisation:
// the salespeople of 市场部 and 王五 are configured for customer contact;
// 林峰 (linfeng, 华东销售部, led by 郭强) has four customers and owns two
// customer groups, so that deleting him leaves customers and groups to
// hand over; 王五's customer is outside the range of the app 客户助手.
func demoCustomers() *ExternalContact {
	const day = 86400
	at := func(n int) int64 { return 1767225600 + int64(n)*day } // days after 2026-01-01 (UTC+8)
	return &ExternalContact{
		FollowUsers: []string{"hutao", "guoqiang", "linfeng", "heyan", "dongxue", "gaoyuan", "luojun", "liangchen", "yuanhang", "wangwu"},
		TagGroups: []CorpTagGroup{
			{GroupID: "etTFlevelGroup0000000000000000A", GroupName: "客户等级", CreateTime: at(0), Order: 2, Tags: []CorpTag{
				{ID: "etTFlevelKey00000000000000000AA", Name: "重点客户", CreateTime: at(0), Order: 2},
				{ID: "etTFlevelNormal0000000000000AAA", Name: "普通客户", CreateTime: at(0), Order: 1},
			}},
			{GroupID: "etTFregionGroup000000000000000A", GroupName: "所在地区", CreateTime: at(0), Order: 1, Tags: []CorpTag{
				{ID: "etTFregionEast000000000000000AA", Name: "华东", CreateTime: at(0)},
				{ID: "etTFregionSouth00000000000000AA", Name: "华南", CreateTime: at(0)},
			}},
		},
		Customers: []Customer{
			{ExternalUserID: "wmTFcustWangJianguo0000000000AA", Name: "王建国", Type: 1, Gender: 1, UnionID: "ozTFunionWangJianguo000000AA", Follow: []CustomerFollow{
				{UserID: "linfeng", Remark: "王总", Description: "宏达制造采购负责人", CreateTime: at(10), TagIDs: []string{"etTFlevelKey00000000000000000AA", "etTFregionEast000000000000000AA"}, AddWay: 1},
				{UserID: "heyan", Remark: "王建国", CreateTime: at(12), AddWay: 3},
			}},
			{ExternalUserID: "wmTFcustLiMing000000000000000AA", Name: "李明", Type: 2, Gender: 1, Position: "采购经理", CorpName: "宏达制造", CorpFullName: "宏达制造有限公司", Follow: []CustomerFollow{
				{UserID: "linfeng", Remark: "李经理", CreateTime: at(15), TagIDs: []string{"etTFlevelKey00000000000000000AA"}, AddWay: 2},
			}},
			{ExternalUserID: "wmTFcustZhaoLi000000000000000AA", Name: "赵丽", Type: 1, Gender: 2, Follow: []CustomerFollow{
				{UserID: "linfeng", Remark: "赵丽", CreateTime: at(20), TagIDs: []string{"etTFlevelNormal0000000000000AAA"}, AddWay: 1},
			}},
			{ExternalUserID: "wmTFcustChenQiang00000000000AAA", Name: "陈强", Type: 2, Gender: 1, Position: "总经理", CorpName: "远航物流", CorpFullName: "上海远航物流有限公司", Follow: []CustomerFollow{
				{UserID: "linfeng", Remark: "陈总", CreateTime: at(25), AddWay: 3},
				{UserID: "guoqiang", Remark: "远航陈总", CreateTime: at(5), TagIDs: []string{"etTFlevelKey00000000000000000AA"}, AddWay: 2},
			}},
			{ExternalUserID: "wmTFcustLiuFang000000000000000A", Name: "刘芳", Type: 1, Gender: 2, Follow: []CustomerFollow{
				{UserID: "heyan", Remark: "刘女士", CreateTime: at(30), TagIDs: []string{"etTFregionEast000000000000000AA"}, AddWay: 1},
			}},
			{ExternalUserID: "wmTFcustSunWei000000000000000AA", Name: "孙伟", Type: 2, Gender: 1, Position: "IT总监", CorpName: "星辰科技", CorpFullName: "深圳星辰科技有限公司", Follow: []CustomerFollow{
				{UserID: "gaoyuan", Remark: "孙总监", CreateTime: at(8), TagIDs: []string{"etTFlevelKey00000000000000000AA", "etTFregionSouth00000000000000AA"}, AddWay: 2},
			}},
			{ExternalUserID: "wmTFcustZhouMin00000000000000AA", Name: "周敏", Type: 1, Gender: 2, Follow: []CustomerFollow{
				{UserID: "luojun", Remark: "周敏", CreateTime: at(40), AddWay: 1},
			}},
			{ExternalUserID: "wmTFcustWuLei0000000000000000AA", Name: "吴磊", Type: 1, Gender: 1, Follow: []CustomerFollow{
				{UserID: "wangwu", Remark: "吴磊(产品试用)", CreateTime: at(45), AddWay: 1},
			}},
		},
		GroupChats: []CustomerGroup{
			{ChatID: "wrTFchatHongda000000000000000AA", Name: "宏达制造对接群", Owner: "linfeng", CreateTime: at(16), Notice: "项目资料请发群文件", Members: []CustomerGroupMember{
				{UserID: "linfeng", Type: 1, JoinTime: at(16), JoinScene: 1, GroupNickname: "林峰"},
				{UserID: "heyan", Type: 1, JoinTime: at(16), JoinScene: 1, Invitor: "linfeng"},
				{UserID: "wmTFcustLiMing000000000000000AA", Type: 2, JoinTime: at(16), JoinScene: 1, Invitor: "linfeng"},
				{UserID: "wmTFcustWangJianguo0000000000AA", Type: 2, JoinTime: at(17), JoinScene: 3, GroupNickname: "王总"},
			}, Admins: []string{"heyan"}},
			{ChatID: "wrTFchatEastChannel0000000000AA", Name: "华东渠道交流群", Owner: "linfeng", CreateTime: at(26), Members: []CustomerGroupMember{
				{UserID: "linfeng", Type: 1, JoinTime: at(26), JoinScene: 1},
				{UserID: "guoqiang", Type: 1, JoinTime: at(26), JoinScene: 1, Invitor: "linfeng"},
				{UserID: "wmTFcustChenQiang00000000000AAA", Type: 2, JoinTime: at(26), JoinScene: 2},
				{UserID: "wmTFcustZhaoLi000000000000000AA", Type: 2, JoinTime: at(27), JoinScene: 2},
			}},
			{ChatID: "wrTFchatSouthKey00000000000000A", Name: "华南大客户群", Owner: "gaoyuan", CreateTime: at(9), Members: []CustomerGroupMember{
				{UserID: "gaoyuan", Type: 1, JoinTime: at(9), JoinScene: 1},
				{UserID: "luojun", Type: 1, JoinTime: at(9), JoinScene: 1, Invitor: "gaoyuan"},
				{UserID: "wmTFcustSunWei000000000000000AA", Type: 2, JoinTime: at(10), JoinScene: 1, Invitor: "gaoyuan"},
				{UserID: "wmTFcustZhouMin00000000000000AA", Type: 2, JoinTime: at(41), JoinScene: 3},
			}},
		},
	}
}
