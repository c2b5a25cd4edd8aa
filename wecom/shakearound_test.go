package wecom

import (
	"testing"
)

func TestShakeAroundService_GetShakeInfo(t *testing.T) {
	t.Parallel()
	c, ts := setup(t)
	ts.post(t, "shakearound/getshakeinfo", `{"ticket":"6ab3d8465166598a5f4e8c1b44f44645"}`, `{"data":{"page_id":14000,"beacon_info":{"distance":55.00620700469034,"major":10001,"minor":19007,"uuid":"FDA50693-A4E2-4FB1-AFCF-C6EB07647825"},"userid":"zhangsan"},"errcode":0,"errmsg":"ok"}`)
	got, err := c.ShakeAround.GetShakeInfo(t.Context(), "6ab3d8465166598a5f4e8c1b44f44645")
	if err != nil {
		t.Fatal(err)
	}
	want := ShakeInfo{
		PageID:     14000,
		BeaconInfo: BeaconInfo{Distance: 55.00620700469034, Major: 10001, Minor: 19007, UUID: "FDA50693-A4E2-4FB1-AFCF-C6EB07647825"},
		UserID:     "zhangsan",
	}
	if *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
}
