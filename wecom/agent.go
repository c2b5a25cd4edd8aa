package wecom

// AgentService is the application API group (应用管理).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/90226
type AgentService service

// Agent is an application of the corp. Its Allow fields are its visible
// range: the members, departments and tags it may reach.
type Agent struct {
	AgentID        int    `json:"agentid"`
	Name           string `json:"name"`
	SquareLogoURL  string `json:"square_logo_url"`
	Description    string `json:"description"`
	AllowUserInfos struct {
		User []struct {
			UserID string `json:"userid"`
		} `json:"user"`
	} `json:"allow_userinfos"`
	AllowPartys struct {
		PartyID []int `json:"partyid"`
	} `json:"allow_partys"`
	AllowTags struct {
		TagID []int `json:"tagid"`
	} `json:"allow_tags"`
	Close                   int    `json:"close"`                     // 1 when the application is disabled
	RedirectDomain          string `json:"redirect_domain"`           // the trusted domain
	ReportLocationFlag      int    `json:"report_location_flag"`      // 1 when members' locations are reported on entering
	IsReportEnter           int    `json:"isreportenter"`             // 1 when entering the application is reported
	HomeURL                 string `json:"home_url"`                  // the home page
	CustomizedPublishStatus int    `json:"customized_publish_status"` // for customized apps: 0 unpublished, 1 published, 2 published and updated
}

// AgentSettings is the request of Set: the settings to change. Empty strings
// and nil flags are left out, so a rename keeps the other settings.
type AgentSettings struct {
	AgentID            int    `json:"agentid"`
	Name               string `json:"name,omitempty"`            // at most 32 characters
	Description        string `json:"description,omitempty"`     // 4 to 120 characters
	RedirectDomain     string `json:"redirect_domain,omitempty"` // must pass WeCom's ownership check
	LogoMediaID        string `json:"logo_mediaid,omitempty"`    // an image from media/upload
	ReportLocationFlag *int   `json:"report_location_flag,omitempty"`
	IsReportEnter      *int   `json:"isreportenter,omitempty"`
	IsReportUser       *int   `json:"isreportuser,omitempty"` // an older setting: report member changes
	HomeURL            string `json:"home_url,omitempty"`
}
