package bindings

// wecom.media: 素材管理 (temporary media, kept by WeCom for 3 days).
//
// A file to upload is a path inside the allowed directories, or
// {filename = "x.csv", content = "..."}; it is streamed, and WeCom keeps its
// file name. download returns the bytes as a Lua string in content, up to
// the run's string limit (a quarter of memory_limit, at most 64 MiB), or,
// given a path inside the allowed directories, streams them into that file,
// up to 1 GiB, and returns its absolute path. An answer of WeCom that is JSON rather than
// a file raises it as an API error ({errcode = 40007, ...}).

import (
	"context"
	"errors"
	"fmt"

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

// maxSavedFile bounds a file that download saves: WeCom's largest media
// (a video fetched by upload_by_url) has 200 MB. A var for tests.
var maxSavedFile int64 = 1 << 30

// stringWhy says where a call's string limit comes from, for its errors.
const stringWhy = "for a string (a quarter of memory_limit, at most 64 MiB)"

// download is the call that fetches the file req names: into the file at
// the argument path, inside the allowed directories, or into memory. Either
// is bounded, in memory by the run's string limit and on disk by
// maxSavedFile: a file WeCom announces larger is refused before it is read,
// and one that passes the bound as it arrives is abandoned there.
func download(a *args, req *wecom.Request) call {
	var dest *target
	if a.has("path") {
		t, err := newArea(a.env).locate(a.str("path"), true)
		if err != nil {
			a.failArg("path", "%v", err)
		}
		dest = t
	}
	c, fn, limit := a.client, a.fn, a.env.stringLimit()
	return func(ctx context.Context) (any, error) {
		f, err := c.Download(ctx, req)
		if err != nil {
			return nil, err
		}
		defer f.Body.Close()
		res := map[string]any{"content_type": f.ContentType, "filename": f.Filename}
		if dest == nil {
			b, err := readLimited(f.Body, f.Size, limit)
			var tooLarge *tooLargeError
			if errors.As(err, &tooLarge) {
				return nil, fmt.Errorf("%s: the file has %v %s: give a path to save it to a file", fn, err, stringWhy)
			}
			if err != nil {
				return nil, fmt.Errorf("wecom %s: reading the file: %w", req.API, err)
			}
			res["content"], res["size"] = b, len(b)
			return res, nil
		}
		if f.Size > maxSavedFile {
			return nil, fmt.Errorf("%s: the file has %v", fn, &tooLargeError{f.Size, maxSavedFile})
		}
		n, err := dest.save(&limitedReader{r: f.Body, limit: maxSavedFile})
		var tooLarge *tooLargeError
		if errors.As(err, &tooLarge) {
			return nil, fmt.Errorf("%s: the file has %v", fn, err)
		}
		if err != nil {
			return nil, fmt.Errorf("wecom %s: saving the file: %w", req.API, err)
		}
		res["path"], res["size"] = dest.path(), n
		return res, nil
	}
}
