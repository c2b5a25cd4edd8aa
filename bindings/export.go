package bindings

// wecom.export (异步导出): the functions written by hand.
//
//	export.each_simple_user(block_size?, encoding_aeskey?) -> iterator over {userid, name, department, open_userid}
//	export.each_user(block_size?, encoding_aeskey?)        -> iterator over members as user.list gives them
//	export.each_department(block_size?, encoding_aeskey?)  -> iterator over departments as department.list gives them
//	export.all_taguser(tagid, block_size?, encoding_aeskey?) -> {tagname, userlist, partylist}
//
// Each submits the export, polls export/get_result until the job is done
// (the pause doubles from half a second to ten seconds, within the run's
// timeout), or raises an error naming the export and the job if WeCom
// reports the job failed (status 3, 异常失败), then downloads the job's files with the client and decrypts
// them in memory: nothing is written to disk. The iterators download a file
// when the loop reaches it and decode its rows one at a time, as user.each
// does, so a loop holds one file and one row at a time:
//
//	for u in wecom.export.each_user() do
//	  if u.status == 2 then disabled = disabled + 1 end
//	end
//
// Without encoding_aeskey, each call makes a new random key (crypto/rand);
// the key is never logged, shown in an error or kept. The others
// (export_simple_user, ..., get_result) are generated from the method table
// and return what wechatpy returns.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/wecomrunner/runner/bindings/luajson"
	"github.com/wecomrunner/runner/wecom"
)

// exportEachSimpleUser is export.each_simple_user.
func exportEachSimpleUser(a *args) call {
	return exportEach(a, "userlist", a.client.Export.SimpleUserRequest)
}

// exportEachUser is export.each_user.
func exportEachUser(a *args) call {
	return exportEach(a, "userlist", a.client.Export.UserRequest)
}

// exportEachDepartment is export.each_department.
func exportEachDepartment(a *args) call {
	return exportEach(a, "department", a.client.Export.DepartmentRequest)
}

// exportAllTaguser is export.all_taguser: the files of the tag's export
// joined into one answer shaped as tag/get's.
func exportAllTaguser(a *args) call {
	c, tagID := a.client, a.int("tagid")
	job := exportJob(a, func(key string, blockSize int) *wecom.Request {
		return c.Export.TagUserRequest(tagID, key, blockSize)
	})
	return func(ctx context.Context) (any, error) {
		files, key, err := job(ctx)
		if err != nil {
			return nil, err
		}
		var all tagExport
		all.UserList, all.PartyList = []json.RawMessage{}, []json.RawMessage{}
		for _, f := range files {
			plain, err := c.Export.Download(ctx, f, key)
			if err != nil {
				return nil, err
			}
			var part tagExport
			if err := json.Unmarshal(plain, &part); err != nil {
				return nil, fmt.Errorf("wecom export/taguser: decoding a file: %w", err)
			}
			if all.TagName == "" {
				all.TagName = part.TagName
			}
			all.UserList = append(all.UserList, part.UserList...)
			all.PartyList = append(all.PartyList, part.PartyList...)
		}
		out, err := json.Marshal(all)
		return json.RawMessage(out), err
	}
}

// tagExport is a file of a tag's export, as tag/get answers.
type tagExport struct {
	TagName   string            `json:"tagname"`
	UserList  []json.RawMessage `json:"userlist"`
	PartyList []json.RawMessage `json:"partylist"`
}

// exportJob reads the arguments block_size and encoding_aeskey, checks
// them, and returns the call that submits the export made by submit, waits
// for it and returns its files and key.
func exportJob(a *args, submit func(key string, blockSize int) *wecom.Request) func(ctx context.Context) ([]wecom.ExportFile, string, error) {
	c, key, blockSize := a.client, a.str("encoding_aeskey"), a.int("block_size")
	if blockSize < wecom.MinExportBlock || blockSize > wecom.MaxExportBlock {
		a.failArg("block_size", "%d is outside [%d, %d]", blockSize, wecom.MinExportBlock, wecom.MaxExportBlock)
	}
	if a.has("encoding_aeskey") {
		if err := wecom.CheckExportKey(key); err != nil {
			a.failArg("encoding_aeskey", "%v", err)
		}
	}
	return func(ctx context.Context) ([]wecom.ExportFile, string, error) {
		if key == "" {
			key = wecom.NewExportKey()
		}
		req := submit(key, blockSize)
		var jobID string
		if err := c.Do(ctx, req, &jobID); err != nil {
			return nil, "", err
		}
		res, err := c.Export.Wait(ctx, jobID)
		if err != nil {
			// Say which export the job was: a failed one names only its id.
			return nil, "", fmt.Errorf("%s: %w", req.API, err)
		}
		return res.DataList, key, nil
	}
}

// exportEach is the call of an iterator over the array member list of the
// files of the export made by submit.
func exportEach(a *args, list string, submit func(key string, blockSize int) *wecom.Request) call {
	job := exportJob(a, submit)
	it := &exportRows{client: a.client, list: list}
	fn := a.L.NewFunction(it.next)
	return func(ctx context.Context) (any, error) {
		files, key, err := job(ctx)
		if err != nil {
			return nil, err
		}
		it.files, it.key = files, key
		return fn, nil
	}
}

// exportRows is the state of an export's iterator: the files left, and the
// rows of the current one.
type exportRows struct {
	client *wecom.Client
	list   string
	files  []wecom.ExportFile
	key    string
	stream *answerStream
}

// next is the Lua iterator function: the next row, or nil after the last
// one of the last file.
func (it *exportRows) next(L *lua.LState) int {
	for {
		if it.stream == nil {
			if len(it.files) == 0 {
				it.key = ""
				L.Push(lua.LNil)
				return 1
			}
			plain, err := it.client.Export.Download(contextOf(L), it.files[0], it.key)
			if err != nil {
				it.files, it.key = nil, ""
				return raise(L, err)
			}
			it.files = it.files[1:]
			d := luajson.NewDecoder(L, bytes.NewReader(plain))
			d.KeepApart()
			it.stream = &answerStream{s: d.Stream(it.list), api: "export file", fields: L.CreateTable(0, 2)}
		}
		v, err := it.stream.next()
		if err != nil {
			it.files, it.key, it.stream = nil, "", nil
			return raise(L, err)
		}
		if v != lua.LNil {
			L.Push(v)
			return 1
		}
		it.stream = nil
	}
}
