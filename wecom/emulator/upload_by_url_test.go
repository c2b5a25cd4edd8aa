package emulator

import "testing"

// TestUploadByURL: a job is processing at its first poll and done at the
// next, with a temporary media of the type and file name asked for.
func TestUploadByURL(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := opsApp(t, s)
	req := func(kv ...any) map[string]any {
		return edited(map[string]any{"scene": 1, "type": "video", "filename": "欢迎.mp4", "url": "https://cdn.example.com/welcome.mp4",
			"md5": "0cc175b9c0f1b6a831c399e269772661"}, kv...)
	}
	wantCode(t, c.post("media/upload_by_url", req("scene", 2)), 40058)
	wantCode(t, c.post("media/upload_by_url", req("type", "image")), 40004)
	wantCode(t, c.post("media/upload_by_url", req("filename", "")), 40058)
	wantCode(t, c.post("media/upload_by_url", req("url", "")), 40058)
	wantCode(t, c.post("media/upload_by_url", req("md5", "")), 40058)
	job := c.post("media/upload_by_url", req()).str("jobid")
	if job == "" {
		t.Fatal("no jobid")
	}
	wantCode(t, c.post("media/get_upload_by_url_result", map[string]any{"jobid": "nope"}), 40058)
	first := c.post("media/get_upload_by_url_result", map[string]any{"jobid": job})
	if first.num("status") != 1 {
		t.Errorf("first poll: %v, want status 1", first)
	}
	done := c.post("media/get_upload_by_url_result", map[string]any{"jobid": job})
	detail, _ := done["detail"].(map[string]any)
	if done.num("status") != 2 || detail == nil || detail["media_id"] == "" {
		t.Fatalf("second poll: %v, want status 2 with a media_id", done)
	}
	id := detail["media_id"].(string)
	again := c.post("media/get_upload_by_url_result", map[string]any{"jobid": job})
	if d, _ := again["detail"].(map[string]any); d["media_id"] != id {
		t.Errorf("a later poll answers another media: %v", again)
	}
	var found bool
	for _, m := range s.Media() {
		if m.MediaID == id {
			found = m.Type == "video" && m.Filename == "欢迎.mp4"
		}
	}
	if !found {
		t.Errorf("media %s is not a video 欢迎.mp4: %+v", id, s.Media())
	}
	// The media is usable in a message.
	wantCode(t, c.post("message/send", map[string]any{"touser": "zhangsan", "msgtype": "video", "agentid": DemoOpsAgentID,
		"video": map[string]any{"media_id": id}}), 0)
}
