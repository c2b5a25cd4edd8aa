"""The yardstick of the runner's user.list: what wechatpy does for
client.user.list(1, fetch_child=True), with the standard library only.

wechatpy 1.8 sends the request with requests (http.client underneath, one
kept-alive connection), then decodes the answer with
json.loads(res.content.decode("utf-8", "ignore"), strict=False), checks
errcode and returns the "userlist" member. This script does the same with
http.client, so that it runs where wechatpy cannot be installed.

    python3 wechatpy_userlist.py BASE_URL CORP_ID SECRET [DEPARTMENT_ID]

It fetches a token (not timed), then lists the department's members with
their sub-departments once, and prints one JSON line: the members, the
seconds the list took (request, read, decode), and the process's peak RSS
in KiB (resource.getrusage, ru_maxrss).
"""

import http.client
import json
import resource
import sys
import time
import urllib.parse


def main():
    base, corp_id, secret = sys.argv[1:4]
    department = sys.argv[4] if len(sys.argv) > 4 else "1"
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port)
    path = url.path.rstrip("/") + "/"

    def get(api, **query):
        conn.request("GET", path + api + "?" + urllib.parse.urlencode(query))
        res = conn.getresponse()
        content = res.read()
        result = json.loads(content.decode("utf-8", "ignore"), strict=False)
        if result.get("errcode", 0) != 0:
            raise SystemExit("%s: errcode %s: %s" % (api, result["errcode"], result.get("errmsg")))
        return result

    token = get("gettoken", corpid=corp_id, corpsecret=secret)["access_token"]
    start = time.perf_counter()
    users = get("user/list", access_token=token, department_id=department, fetch_child=1)["userlist"]
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"members": len(users), "seconds": seconds, "maxrss_kb": rss}))


if __name__ == "__main__":
    main()
