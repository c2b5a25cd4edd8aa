package bindings

// wecom.material: 永久素材, the legacy permanent material API of the former 企业号.
//
//	material.add_articles(articles, agent_id?) -> {errcode, errmsg, media_id}
//	material.add(agent_id?, media_type, media_file) -> {errcode, errmsg, media_id}
//	material.get_url(agent_id?, media_id) -> string, the material's address with the current access token
//	material.get(agent_id?, media_id) -> {content, size, content_type, filename}
//	material.get(agent_id?, media_id, path) -> {path, size, content_type, filename}
//	material.get_articles(agent_id?, media_id) -> {errcode, errmsg, type, mpnews = {articles = {...}}}
//	material.delete(agent_id?, media_id) -> {errcode, errmsg}
//	material.update_articles(agent_id?, media_id, articles) -> {errcode, errmsg}
//	material.get_count(agent_id?) -> {errcode, errmsg, total_count, image_count, voice_count, video_count, file_count, mpnews_count}
//	material.batchget(agent_id?, media_type, offset?, count?) -> {errcode, errmsg, type, total_count, item_count, itemlist}
//
// agent_id defaults to the client's agent id. An article is {thumb_media_id,
// title, content, author?, content_source_url?, digest?, show_cover_pic?}.
// add_articles sends agentid, which WeCom's documentation requires, when
// agent_id is given or the client has one (wechatpy never sends it).
// update_articles calls material/update_mpnews, as WeCom documents it, where
// wechatpy calls material/update_news. get saves the file or returns its
// bytes as media.download does.

import (
	"context"

	"github.com/wecomrunner/runner/wecom"
)

var materialGroup = group{
	"add_articles": {params: []string{"articles", "agent_id"}, doc: "Stores articles as a permanent mpnews material (上传永久图文素材).", prepare: func(a *args) call {
		return send(a, a.client.Material.AddArticlesRequest(a.optInt("agent_id", a.client.AgentID()), materialArticles(a)))
	}},
	"add": {params: []string{"agent_id", "media_type", "media_file"}, doc: "Uploads a permanent image, voice, video or file (上传其他类型永久素材).", prepare: func(a *args) call {
		return send(a, a.client.Material.AddRequest(a.agentID("agent_id"), a.str("media_type"), a.upload("media_file")))
	}},
	"get_url": {params: []string{"agent_id", "media_id"}, doc: "Returns the address of a permanent material, with the current access token (获取永久素材).", prepare: func(a *args) call {
		c, agentID, mediaID := a.client, a.agentID("agent_id"), a.str("media_id")
		return func(ctx context.Context) (any, error) { return c.Material.GetURL(ctx, agentID, mediaID) }
	}},
	"get": {params: []string{"agent_id", "media_id", "path"}, doc: "Downloads a permanent material into memory or into the file at path (获取永久素材).", prepare: func(a *args) call {
		return download(a, a.client.Material.GetRequest(a.agentID("agent_id"), a.str("media_id")))
	}},
	"get_articles": {params: []string{"agent_id", "media_id"}, doc: "Reads the articles of a permanent mpnews material (获取永久素材).", prepare: func(a *args) call {
		return send(a, a.client.Material.GetRequest(a.agentID("agent_id"), a.str("media_id")))
	}},
	"delete": {params: []string{"agent_id", "media_id"}, doc: "Deletes a permanent material (删除永久素材).", prepare: func(a *args) call {
		return send(a, a.client.Material.DeleteRequest(a.agentID("agent_id"), a.str("media_id")))
	}},
	"update_articles": {params: []string{"agent_id", "media_id", "articles"}, doc: "Replaces the articles of a permanent mpnews material (修改永久图文素材).", prepare: func(a *args) call {
		return send(a, a.client.Material.UpdateArticlesRequest(a.agentID("agent_id"), a.str("media_id"), materialArticles(a)))
	}},
	"get_count": {params: []string{"agent_id"}, doc: "Counts the permanent materials of an application (获取素材总数).", prepare: func(a *args) call {
		return send(a, a.client.Material.GetCountRequest(a.agentID("agent_id")))
	}},
	"batchget": {params: []string{"agent_id", "media_type", "offset", "count"}, doc: "Lists a page of an application's permanent materials of one type (获取素材列表).", prepare: func(a *args) call {
		return send(a, a.client.Material.BatchGetRequest(&wecom.MaterialQuery{
			AgentID: a.agentID("agent_id"),
			Type:    a.str("media_type"),
			Offset:  a.optInt("offset", 0),
			Count:   a.optInt("count", 20),
		}))
	}},
}

// materialArticles is the required argument articles.
func materialArticles(a *args) []wecom.MaterialArticle {
	var articles []wecom.MaterialArticle
	decodeArticles(a, &articles)
	return articles
}
