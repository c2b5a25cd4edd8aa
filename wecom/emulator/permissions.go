package emulator

import "strings"

// Which kind of secret may call which API. permit is called once per call,
// after the access token is checked and before the handler runs; handlers
// check only what depends on the data (a member outside the visible range,
// another app's agentid). A rule added here applies to every handler.

// externalContactAgent is the agent id of the tokens of the customer
// contact secret (客户联系 secret): no application's, nor the contacts
// secret's 0.
const externalContactAgent = -2

// customerAPI reports whether api is of the customer contact API
// (externalcontact/...).
func customerAPI(api string) bool { return strings.HasPrefix(api, "externalcontact/") }

// permit refuses (48002) a call its secret may not make:
//   - the customer contact secret calls only the customer contact API;
//   - the customer contact API takes the customer contact secret, or the
//     secret of an application configured in 客户联系 → 可调用应用 (App.
//     ExternalContact), which then sees the members of its visible range
//     (every page of the API, e.g. document/path/92113 "权限说明"). Not the
//     contacts-sync secret, nor another application's.
//
// Since 2023-12-01 WeCom refuses the secret of the system application
// 客户联系 to corps created after that date (the note "从2023年12月1日0点起,
// 不再支持通过系统应用secret调用接口" on the same pages): an org file gives
// external_contact_secret only for an older corp, and the demo
// organisation, a new corp, has none.
//
// It also applies the trusted-IP rule (60020) and, under today's rules,
// the contacts sync's new-IP rule (48009): see rules.go.
func (c *call) permit() *apiError {
	if e := c.s.checkTrustedIP(c.r); e != nil {
		return e
	}
	if e := c.checkContactsIP(); e != nil {
		return e
	}
	switch {
	case c.agentID == externalContactAgent:
		if !customerAPI(c.api) {
			return errorf(48002, "the customer contact secret calls only the customer contact API (externalcontact/)")
		}
	case customerAPI(c.api):
		if c.contacts() {
			return errorf(48002, "the contacts-sync secret cannot call the customer contact API")
		}
		c.s.st.mu.RLock()
		a := c.app()
		allowed := a != nil && a.ExternalContact
		c.s.st.mu.RUnlock()
		if !allowed {
			return errorf(48002, "the application is not configured to call the customer contact API (客户联系 → 可调用应用)")
		}
	case strings.HasPrefix(c.api, "oa/"), strings.HasPrefix(c.api, "checkin/"):
		return c.permitOA()
	}
	return nil
}

// permitOA refuses (48002) a call of the approval and leave API (oa/) or
// the attendance API (checkin/) from a secret other than that of an
// application configured for it: in 审批 → 可调用接口的应用 (App.Approval)
// or 打卡 → 可调用接口的应用 (App.Checkin). The pages of these APIs (e.g.
// document/path/91853, 90262 "权限说明") accept only such self-built
// applications (besides third-party ones), and since 2023-12-01 no longer
// the secrets of the system applications 审批 and 打卡 from newer corps.
func (c *call) permitOA() *apiError {
	if c.contacts() {
		return errorf(48002, "the contacts-sync secret cannot call %s", c.api)
	}
	c.s.st.mu.RLock()
	a := c.app()
	c.s.st.mu.RUnlock()
	switch checkin := strings.HasPrefix(c.api, "checkin/"); {
	case checkin && (a == nil || !a.Checkin):
		return errorf(48002, "the application is not configured to call the attendance API (打卡 → 可调用接口的应用)")
	case !checkin && (a == nil || !a.Approval):
		return errorf(48002, "the application is not configured to call the approval API (审批 → 可调用接口的应用)")
	}
	return nil
}
