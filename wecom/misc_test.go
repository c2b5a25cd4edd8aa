package wecom

import (
	"net/url"
	"testing"
)

func TestMiscService_GetWechatIPs(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.get(t, "getcallbackip", url.Values{}, `{"ip_list":["1.2.3.4","2.3.3.3"],"errcode":0,"errmsg":"ok"}`)
	got, err := c.Misc.GetWechatIPs(t.Context())
	testResult(t, got, err, []string{"1.2.3.4", "2.3.3.3"})
}
