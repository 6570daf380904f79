"""Submitting a page's form the way a browser would, from its HTML: the hidden fields (the CSRF
token), the preselected values, what a visitor types (the overrides), encoded as the form's
enctype says. Standard library only: both projects' Pythons import it (bench/probe.py for the
query counts, bench/side_by_side.py for the load), so both send the same body.
"""

import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

# What a visitor types into our two forms. The enquiry asks which fund, cover and referral: the
# first real choice of each list. The booking takes "the earliest available" time; no Celery
# worker runs during the benchmark, so every booking stays queued and never uses up a slot.
ENQUIRY_VALUES = {
    "name": "Bench Visitor",
    "email": "bench.visitor@example.com",
    "state": "NSW",
    "postcode": "2000",
    "question": "Will my fund pay towards this support?",
    "consent": "on",
}
BOOKING_VALUES = {
    "name": "Bench Visitor",
    "email": "bench.visitor@example.com",
    "description": "Lower back pain after sitting all day.",
    "slot": "earliest",
    "consent": "on",
}


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list = field(default_factory=list)  # [name, type, value, checked, options]


@dataclass
class Submission:
    path: str
    content_type: str
    body: bytes


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action", ""),
                method=a.get("method", "get").lower(),
                enctype=a.get("enctype", "application/x-www-form-urlencoded").lower(),
            )
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind not in {"submit", "button", "image", "reset"}:
                value = a.get("value", "on" if kind in {"checkbox", "radio"} else "")
                self._form.fields.append([a["name"], kind, value, "checked" in a, None])
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], "select", None, False, []]
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select[4].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], "textarea", "", False, None]
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            self._textarea[2] = self._textarea[2].removeprefix("\n")
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = self._option = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def _value(name, kind, value, checked, options, overrides):
    """The value a browser sends for one control, or None when it sends none."""
    if name in overrides:
        return overrides[name]
    if kind in {"checkbox", "radio"}:
        return value if checked else None
    if kind == "select":
        # The selected option, else the first real choice (a visitor picks one); a selected
        # placeholder ("Choose…", value "") is no choice.
        values = [(v if v is not None else t.strip(), selected) for v, selected, t in options]
        chosen = [v for v, selected in values if selected and v]
        real = [v for v, _ in values if v]
        return (chosen or real or [""])[0]
    return value


def submission(
    page_path: str, html: str, *, has_field: str, action: str = "", overrides=None
) -> Submission:
    """The POST a browser sends for the first form on the page with a field `has_field` (and
    whose action ends with `action`)."""
    overrides = overrides or {}
    form = next(
        (
            f
            for f in forms_in(html)
            if f.method == "post"
            and f.action.endswith(action)
            and any(c[0] == has_field for c in f.fields)
        ),
        None,
    )
    if form is None:
        raise LookupError(f"no form with a field {has_field!r} on {page_path}")
    pairs, files, seen_radio = [], [], set()
    for name, kind, value, checked, options in form.fields:
        if kind == "file":
            files.append(name)
            continue
        if kind == "radio":
            if name in seen_radio:
                continue
            if name not in overrides:
                group = [c for c in form.fields if c[0] == name]
                chosen = next((c for c in group if c[3]), group[0])
                pairs.append((name, chosen[2]))
                seen_radio.add(name)
                continue
            seen_radio.add(name)
        sent = _value(name, kind, value, checked, options, overrides)
        if sent is not None:
            pairs.append((name, sent))
    path = urljoin(page_path, form.action) if form.action else page_path
    if form.enctype.startswith("multipart/"):
        return _multipart(path, pairs, files)
    body = urlencode(pairs).encode()
    return Submission(path, "application/x-www-form-urlencoded", body)


def _multipart(path, pairs, files) -> Submission:
    boundary = f"----benchform{uuid.uuid4().hex}"
    parts = []
    for name, value in pairs:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    for name in files:  # no file chosen: a browser still sends the part, empty
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n"
        )
    parts.append(f"--{boundary}--\r\n")
    return Submission(path, f"multipart/form-data; boundary={boundary}", "".join(parts).encode())
