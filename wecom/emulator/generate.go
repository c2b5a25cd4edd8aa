package emulator

import (
	"fmt"
	"math/rand/v2"
)

// LargeOrg returns the demo organisation grown to the given number of
// departments and members, for benchmarks and load tests: the demo's apps,
// secrets, tags and chat, its 13 departments and 40 members, plus generated
// departments (up to four levels under the demo's, with unique names among
// their siblings) and members in one to three departments with every field
// WeCom returns filled in as a real corp has them: Chinese names, positions,
// mobiles, emails, corp mail, landlines, English aliases, addresses, direct
// leaders, custom fields, and for some an external profile. The same
// arguments give the same organisation. Fewer departments or members than
// the demo's leave the demo as it is.
func LargeOrg(departments, members int) *Org {
	org := DemoOrg()
	r := rand.New(rand.NewPCG(17, uint64(members)))

	var depts []int
	level := map[int]int{0: 0}
	for _, d := range org.Departments { // parents come first in the demo
		depts = append(depts, d.ID)
		level[d.ID] = level[d.ParentID] + 1
	}
	for id := len(org.Departments) + 1; id <= departments; id++ {
		// A parent among the earlier departments, favouring the recent ones
		// so that the tree gets deeper than the demo's.
		parent := depts[len(depts)-1-r.IntN(min(len(depts), 24))]
		if level[parent] >= 5 {
			parent = depts[1+r.IntN(12)]
		}
		level[id] = level[parent] + 1
		org.Departments = append(org.Departments, Department{
			ID:       id,
			Name:     fmt.Sprintf("%s%s%d组", largeRegions[r.IntN(len(largeRegions))], largeFunctions[r.IntN(len(largeFunctions))], id),
			NameEn:   fmt.Sprintf("Team %d", id),
			ParentID: parent,
			Order:    100000000 - id*1000,
		})
		depts = append(depts, id)
	}

	first := len(org.Users)
	for i := first; i < members; i++ {
		org.Users = append(org.Users, largeMember(r, i, depts, org.Users[first:]))
	}
	return org
}

// largeMember is generated member number i of LargeOrg, in departments
// drawn from depts, led perhaps by one of the members generated before.
func largeMember(r *rand.Rand, i int, depts []int, before []User) User {
	s := largeSurnames[r.IntN(len(largeSurnames))]
	g := largeGiven[r.IntN(len(largeGiven))]
	id := fmt.Sprintf("%s%s%d", s.pinyin, g.pinyin, i)
	u := User{
		UserID:   id,
		Name:     s.han + g.han,
		Position: largePositions[r.IntN(len(largePositions))],
		// Unique: 7919 is prime to 10^9, so i -> i*7919 mod 10^9 is one to one.
		Mobile: fmt.Sprintf("1%d%09d", 3+i%7, (i*7919+104729)%1_000_000_000),
		Gender: fmt.Sprint(1 + r.IntN(2)),
		Email:  id + "@tengfei.example.com",
		Status: []int{1, 1, 1, 1, 1, 1, 1, 1, 2, 4}[r.IntN(10)],
	}
	n := []int{1, 1, 1, 1, 1, 1, 1, 2, 2, 3}[r.IntN(10)]
	for len(u.Department) < n {
		d := depts[1+r.IntN(len(depts)-1)]
		dup := false
		for _, have := range u.Department {
			dup = dup || have == d
		}
		if !dup {
			u.Department = append(u.Department, d)
			u.Order = append(u.Order, []int{0, 0, 0, 100000000 - r.IntN(10000)}[r.IntN(4)])
			u.IsLeaderInDept = append(u.IsLeaderInDept, []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}[r.IntN(10)])
		}
	}
	u.MainDepartment = u.Department[0]
	if r.IntN(2) == 0 {
		u.BizMail = id + "@tengfei.wecom.work"
	}
	if r.IntN(3) > 0 {
		u.Telephone = fmt.Sprintf("0%d-%08d", []int{21, 10, 755, 571, 20}[r.IntN(5)], 60000000+r.IntN(40000000))
	}
	if r.IntN(3) == 0 {
		u.Alias = largeAliases[r.IntN(len(largeAliases))]
	}
	if r.IntN(4) == 0 {
		u.Address = fmt.Sprintf("%s%d号%d楼", largeStreets[r.IntN(len(largeStreets))], 1+r.IntN(999), 1+r.IntN(30))
	}
	if len(before) > 0 && r.IntN(5) > 1 {
		u.DirectLeader = []string{before[r.IntN(len(before))].UserID}
	}
	attrs := []any{
		map[string]any{"type": 0, "name": "工号", "text": map[string]any{"value": fmt.Sprintf("TF%06d", i)}},
	}
	if r.IntN(4) == 0 {
		attrs = append(attrs, map[string]any{"type": 0, "name": "工位", "text": map[string]any{"value": fmt.Sprintf("%dF-%03d", 1+r.IntN(30), r.IntN(500))}})
	}
	if r.IntN(8) == 0 {
		attrs = append(attrs, map[string]any{"type": 1, "name": "个人主页", "web": map[string]any{"url": "https://wiki.tengfei.example.com/people/" + id, "title": "个人主页"}})
	}
	u.ExtAttr = map[string]any{"attrs": attrs}
	if r.IntN(10) == 0 {
		u.ExternalPosition = u.Position
		u.ExternalProfile = map[string]any{
			"external_corp_name": "腾飞科技",
			"wechat_channels":    map[string]any{"nickname": s.han + g.han + "的视频号", "status": 1},
			"external_attr": []any{
				map[string]any{"type": 0, "name": "服务区域", "text": map[string]any{"value": largeRegions[r.IntN(len(largeRegions))]}},
				map[string]any{"type": 1, "name": "官网", "web": map[string]any{"url": "https://www.tengfei.example.com", "title": "腾飞科技"}},
			},
		}
	}
	return u
}

type largeName struct{ han, pinyin string }

var (
	largeSurnames = []largeName{
		{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"},
		{"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"}, {"徐", "xu"}, {"孙", "sun"},
		{"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"}, {"郭", "guo"}, {"何", "he"}, {"高", "gao"},
		{"林", "lin"}, {"罗", "luo"}, {"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"}, {"宋", "song"},
		{"唐", "tang"}, {"许", "xu"}, {"韩", "han"}, {"冯", "feng"}, {"邓", "deng"}, {"曹", "cao"},
		{"彭", "peng"}, {"曾", "zeng"}, {"萧", "xiao"}, {"田", "tian"}, {"董", "dong"}, {"潘", "pan"},
		{"袁", "yuan"}, {"蔡", "cai"}, {"蒋", "jiang"}, {"余", "yu"}, {"欧阳", "ouyang"}, {"司马", "sima"},
	}
	largeGiven = []largeName{
		{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"秀英", "xiuying"}, {"敏", "min"}, {"静", "jing"},
		{"丽", "li"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"洋", "yang"}, {"勇", "yong"},
		{"艳", "yan"}, {"杰", "jie"}, {"娟", "juan"}, {"涛", "tao"}, {"明", "ming"}, {"超", "chao"},
		{"秀兰", "xiulan"}, {"霞", "xia"}, {"平", "ping"}, {"刚", "gang"}, {"桂英", "guiying"}, {"建华", "jianhua"},
		{"文", "wen"}, {"华", "hua"}, {"红梅", "hongmei"}, {"志强", "zhiqiang"}, {"海燕", "haiyan"}, {"子轩", "zixuan"},
		{"雨涵", "yuhan"}, {"浩然", "haoran"}, {"欣怡", "xinyi"}, {"思远", "siyuan"}, {"梓涵", "zihan"}, {"宇航", "yuhang"},
	}
	largePositions = []string{"工程师", "高级工程师", "资深工程师", "产品经理", "销售代表", "客户经理", "财务专员",
		"人事专员", "运营专员", "设计师", "测试工程师", "部门经理", "总监", "行政助理", "数据分析师", "架构师"}
	largeAliases   = []string{"David", "Lily", "Kevin", "Grace", "Tony", "Emma", "Jack", "Vivian", "Leo", "Cindy"}
	largeRegions   = []string{"华东", "华南", "华北", "华中", "西南", "西北", "东北", "海外"}
	largeFunctions = []string{"销售", "交付", "研发", "测试", "运维", "客服", "市场", "培训", "采购", "质量"}
	largeStreets   = []string{"上海市浦东新区张江路", "北京市海淀区中关村大街", "深圳市南山区科技园路",
		"杭州市西湖区文三路", "广州市海珠区新港中路", "成都市高新区天府大道"}
)
