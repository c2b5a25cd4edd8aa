package bindings

// wecom.media: 素材管理 (temporary media, kept by WeCom for 3 days).
//
// A file to upload is a path inside the allowed directories, or
// {filename = "x.csv", content = "..."}; it is streamed, and WeCom keeps its
// file name. download returns the bytes as a Lua string in content, or,
// given a path inside the allowed directories, streams them into that file
// and returns its absolute path. An answer of WeCom that is JSON rather than
// a file raises it as an API error ({errcode = 40007, ...}).

import (
	"context"
	"fmt"
	"io"

	"github.com/wecomrunner/runner/wecom"
)

// mediaUpload is media.upload.
func mediaUpload(a *args) call {
	return send(a, a.client.Media.UploadRequest(a.str("media_type"), a.upload("media_file")))
}

// mediaUploadImg is media.upload_img.
func mediaUploadImg(a *args) call {
	return send(a, a.client.Media.UploadImgRequest(a.upload("image_file")))
}

// mediaGetURL is media.get_url, built locally.
func mediaGetURL(a *args) call {
	c, id := a.client, a.str("media_id")
	return func(ctx context.Context) (any, error) { return c.Media.GetURL(ctx, id) }
}

// mediaGetJssdkURL is media.get_jssdk_url, built locally.
func mediaGetJssdkURL(a *args) call {
	c, id := a.client, a.str("media_id")
	return func(ctx context.Context) (any, error) { return c.Media.GetJSSDKURL(ctx, id) }
}

// mediaDownload is media.download.
func mediaDownload(a *args) call {
	return download(a, a.client.Media.DownloadRequest(a.str("media_id")))
}

// download is the call that fetches the file req names: into the file at
// the argument path, inside the allowed directories, or into memory.
func download(a *args, req *wecom.Request) call {
	var dest *target
	if a.has("path") {
		t, err := newArea(a.env).locate(a.str("path"), true)
		if err != nil {
			a.failArg("path", "%v", err)
		}
		dest = t
	}
	c := a.client
	return func(ctx context.Context) (any, error) {
		f, err := c.Download(ctx, req)
		if err != nil {
			return nil, err
		}
		defer f.Body.Close()
		res := map[string]any{"content_type": f.ContentType, "filename": f.Filename}
		if dest == nil {
			b, err := io.ReadAll(f.Body)
			if err != nil {
				return nil, fmt.Errorf("wecom %s: reading the file: %w", req.API, err)
			}
			res["content"], res["size"] = b, len(b)
			return res, nil
		}
		n, err := dest.save(f.Body)
		if err != nil {
			return nil, fmt.Errorf("wecom %s: saving the file: %w", req.API, err)
		}
		res["path"], res["size"] = dest.path(), n
		return res, nil
	}
}
