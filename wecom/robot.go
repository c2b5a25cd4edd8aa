package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Robot is a group robot (群机器人): it posts messages to one group chat
// through its webhook URL, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY,
// with no access token. The key is the robot's credential: errors never show
// it.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/91770
type Robot struct {
	url  string
	key  string
	http *http.Client
}

// NewRobot returns the robot of a webhook URL; httpClient nil is
// http.DefaultClient. It fails, without showing the URL, for one that is
// not http(s) or has no key.
func NewRobot(webhookURL string, httpClient *http.Client) (*Robot, error) {
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("wecom robot: the webhook URL is not an http:// or https:// URL")
	}
	key := u.Query().Get("key")
	if key == "" {
		return nil, errors.New("wecom robot: the webhook URL has no key (…/webhook/send?key=KEY)")
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Robot{url: webhookURL, key: key, http: httpClient}, nil
}

// Send posts a message (发送消息): TextContent, or MarkdownContent of at
// most 4096 bytes. A refusal is an *APIError of webhook/send (93000: the key
// is not a robot's; 45009: more than 20 messages a minute).
func (r *Robot) Send(ctx context.Context, c Content) error {
	t := c.MsgType()
	b, err := json.Marshal(map[string]any{"msgtype": t, t: c})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(b))
	if err != nil {
		return redactError(err, r.key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		return redactError(err, r.key)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return redactError(err, r.key)
	}
	var ans struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(body, &ans) != nil || ans.ErrCode == nil {
		return fmt.Errorf("wecom webhook/send: HTTP %s, not a WeCom answer", resp.Status)
	}
	if *ans.ErrCode != 0 {
		return &APIError{Code: *ans.ErrCode, Msg: redact(ans.ErrMsg, r.key), API: "webhook/send"}
	}
	return nil
}
