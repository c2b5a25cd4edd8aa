package bindings

// wecom.material: 永久素材, the legacy permanent material API of the former 企业号.
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

// materialAddArticles is material.add_articles. agentid is sent when
// agent_id is given or the client has an agent id.
func materialAddArticles(a *args) call {
	agentID := a.client.AgentID()
	if a.has("agent_id") {
		agentID = a.int("agent_id")
	}
	return send(a, a.client.Material.AddArticlesRequest(agentID, materialArticles(a)))
}

// materialAdd is material.add, an upload.
func materialAdd(a *args) call {
	return send(a, a.client.Material.AddRequest(a.int("agent_id"), a.str("media_type"), a.upload("media_file")))
}

// materialGetURL is material.get_url, built locally.
func materialGetURL(a *args) call {
	c, agentID, mediaID := a.client, a.int("agent_id"), a.str("media_id")
	return func(ctx context.Context) (any, error) { return c.Material.GetURL(ctx, agentID, mediaID) }
}

// materialGet is material.get, a download.
func materialGet(a *args) call {
	return download(a, a.client.Material.GetRequest(a.int("agent_id"), a.str("media_id")))
}

// materialGetArticles is material.get_articles: material/get of an mpnews
// material, whose answer is JSON.
func materialGetArticles(a *args) call {
	return send(a, a.client.Material.GetRequest(a.int("agent_id"), a.str("media_id")))
}

// materialUpdateArticles is material.update_articles.
func materialUpdateArticles(a *args) call {
	return send(a, a.client.Material.UpdateArticlesRequest(a.int("agent_id"), a.str("media_id"), materialArticles(a)))
}

// materialBatchget is material.batchget.
func materialBatchget(a *args) call {
	q := &wecom.MaterialQuery{AgentID: a.int("agent_id"), Type: a.str("media_type"), Offset: a.int("offset"), Count: a.int("count")}
	return send(a, a.client.Material.BatchGetRequest(q))
}

// materialArticles is the required argument articles.
func materialArticles(a *args) []wecom.MaterialArticle {
	var articles []wecom.MaterialArticle
	decodeArticles(a, &articles)
	return articles
}
