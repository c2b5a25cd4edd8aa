package table

// The asynchronous exports of the contacts (异步导出接口,
// document/path/94850): WeCom writes the members, their details, the
// departments or a tag's members into files of block_size rows, encrypted
// with the EncodingAESKey the caller gives (AES-256-CBC, IV the key's first
// 16 bytes, PKCS#7 padding to 32 bytes), and export/get_result lists their
// URLs once the job is done. Corps created since 2022-08-15 read their
// contacts this way, or with user/list_id and department/simplelist, when
// the contacts-sync secret may no longer call user/list.
//
// Names are those of wechatpy's current wechatpy/work client (export.py).
// The each_* and all_taguser functions are the runner's: they submit the
// job, wait for it, download and decrypt its files in memory and return
// their rows.

// The parameters the export methods share.
var (
	exportKey = Param{Name: "encoding_aeskey", Type: String, Go: "encodingAESKey",
		Doc: "base64encode的加密密钥,长度固定为43,base64decode之后即得到AESKey。加密方式采用AES-256-CBC方式,数据采用PKCS#7填充至32字节的倍数;IV初始向量大小为16字节,取AESKey前16字节"}
	exportBlockSize = Param{Name: "block_size", Type: Int, Default: "1000000",
		Doc: "每块数据的人员数(导出部门时为部门数,导出标签成员时为人员数和部门数之和),支持范围[10^4,10^6],默认值为10^6"}
	exportTagID = Param{Name: "tagid", Type: Int, Doc: "需要导出的标签", Go: "tagID"}
	// exportOwnKey is the key of the runner's functions: one is made for
	// each call when none is given.
	exportOwnKey = Param{Name: "encoding_aeskey", Type: String, Default: Optional,
		Doc: "加密文件的密钥(43个字符);不填则每次调用生成一个新的随机密钥"}
)

// exportJob is one of wechatpy's export functions: a read (it changes
// nothing in WeCom) that starts a job and returns its jobid.
func exportJob(m Method) Method {
	m.Group, m.Read = "export", true
	m.Result, m.GoResult, m.LuaResult = "jobid", "string", "string"
	return m
}

// exportRunner is one of the runner's export functions, written by hand: a
// read that runs a whole export.
func exportRunner(m Method) Method {
	m.Group, m.Read, m.Hand = "export", true, HandWritten
	return m
}

// exportGroups are the export groups, in the order of the Lua module's
// fields.
var exportGroups = []Group{
	{Name: "export", Service: "Export", Title: "异步导出"},
}

// exportMethods are the functions of wecom.export: wechatpy's, then the
// runner's.
var exportMethods = []Method{
	exportJob(Method{Name: "export_simple_user", Go: "SimpleUser", HTTP: "POST export/simple_user", Docs: "94849",
		Doc:    "Starts the export of the members the caller may see, each with userid, name, department and open_userid (导出成员); the jobid is read with get_result.",
		Params: []Param{exportKey, exportBlockSize}}),
	exportJob(Method{Name: "export_user", Go: "User", HTTP: "POST export/user", Docs: "94851",
		Doc:    "Starts the export of the details of the members the caller may see, as user/list gives them (导出成员详情); the jobid is read with get_result.",
		Params: []Param{exportKey, exportBlockSize}}),
	exportJob(Method{Name: "export_department", Go: "Department", HTTP: "POST export/department", Docs: "94852",
		Doc:    "Starts the export of the departments the caller may see, as department/list gives them (导出部门); the jobid is read with get_result.",
		Params: []Param{exportKey, exportBlockSize}}),
	exportJob(Method{Name: "export_taguser", Go: "TagUser", HTTP: "POST export/taguser", Docs: "94853",
		Doc:    "Starts the export of a tag's members and departments (导出标签成员); the jobid is read with get_result.",
		Params: []Param{exportTagID, exportKey, exportBlockSize}}),
	{Group: "export", Name: "get_result", Go: "GetResult", HTTP: "GET export/get_result", Read: true, Docs: "94854",
		Doc:      "Reads an export's status (0 not started, 1 processing, 2 done, 3 failed) and, once done, its files' URLs, sizes and MD5s, valid two hours (获取导出结果).",
		Params:   []Param{{Name: "jobid", Type: String, Doc: "导出任务接口成功后返回", Go: "jobID"}},
		GoResult: "*ExportResult"},

	exportRunner(Method{Name: "each_simple_user", HTTP: "POST export/simple_user, GET export/get_result", Docs: "94849", LuaResult: "fun(): table?",
		Doc:    "Exports the members the caller may see and iterates over them, one at a time: submits export/simple_user, waits for the job, downloads and decrypts its files in memory (导出成员).",
		Params: []Param{exportBlockSize, exportOwnKey}}),
	exportRunner(Method{Name: "each_user", HTTP: "POST export/user, GET export/get_result", Docs: "94851", LuaResult: "fun(): table?",
		Doc:    "Exports the details of the members the caller may see and iterates over them, one at a time: submits export/user, waits for the job, downloads and decrypts its files in memory (导出成员详情).",
		Params: []Param{exportBlockSize, exportOwnKey}}),
	exportRunner(Method{Name: "each_department", HTTP: "POST export/department, GET export/get_result", Docs: "94852", LuaResult: "fun(): table?",
		Doc:    "Exports the departments the caller may see and iterates over them, one at a time: submits export/department, waits for the job, downloads and decrypts its files in memory (导出部门).",
		Params: []Param{exportBlockSize, exportOwnKey}}),
	exportRunner(Method{Name: "all_taguser", HTTP: "POST export/taguser, GET export/get_result", Docs: "94853",
		Doc:    "Exports a tag's members and departments and returns them as tag.get_users does, {tagname, userlist, partylist}, the files of the job joined (导出标签成员).",
		Params: []Param{exportTagID, exportBlockSize, exportOwnKey}}),
}
