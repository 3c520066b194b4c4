"""Core's webservice/upload.php: files into the token user's draft area, answered as that script answers.

It is an AJAX script, so its errors are `{"error", "errorcode", "stacktrace", "debuginfo", "reproductionlink"}`,
not the REST layer's `{"exception", ...}`; a file it refuses is an entry with `errortype` and `error`.
"""

from __future__ import annotations

from email import message_from_bytes
from email.policy import HTTP

from .site import DraftFile

UPLOAD_PATH = "/webservice/upload.php"
FIRST_DRAFT_ITEMID = 701260947  # as in the recording 30_core_files_upload: any unused number will do


def ajax_error(message: str, errorcode: str) -> dict:
    return {"error": message, "errorcode": errorcode, "stacktrace": None, "debuginfo": None, "reproductionlink": None}


def form_parts(content_type: str, body: bytes) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """(fields, files as (filename, content)) of a multipart/form-data body."""
    message = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=HTTP)
    fields, files = {}, []
    for part in message.iter_parts() if message.is_multipart() else []:
        filename = part.get_filename()
        if filename is None:
            fields[part.get_param("name", header="content-disposition")] = part.get_content().strip()
        else:
            files.append((filename, part.get_payload(decode=True)))
    return fields, files


def upload(double, content_type: str, body: bytes) -> list | dict:
    site = double.site
    fields, files = form_parts(content_type, body)
    token = site.tokens.get(fields.get("token", ""))
    if token is None:
        return ajax_error("Invalid token - token not found", "invalidtoken")
    if not token.uploadfiles:
        return ajax_error("Web service file upload must be enabled in external service settings", "webservice_access_exception")
    double.calls["webservice/upload.php"] += 1
    itemid = int(fields.get("itemid") or 0)
    if itemid <= 0:
        itemid = FIRST_DRAFT_ITEMID + len(site.drafts)
    user = site.users[token.userid]
    results = []
    for filename, content in files:
        if itemid in site.drafts:
            results.append({"filename": filename, "errortype": "filenameexist", "error": f"File exists: {filename}"})
            continue
        site.drafts[itemid] = DraftFile(token.userid, filename, content)
        double.writes["webservice/upload.php"] += 1
        results.append({
            "component": "user", "contextid": str(4 + user.id), "userid": str(user.id), "filearea": "draft",
            "filename": filename, "filepath": fields.get("filepath", "/"), "itemid": itemid, "license": "unknown",
            "author": f"{user.firstname} {user.lastname}", "source": f'O:8:"stdClass":1:{{s:6:"source";s:{len(filename)}:"{filename}";}}',
            "filesize": len(content),
        })
    return results
