"""Keep the built book self-contained (no request leaves the site) and its pages free of console errors.

- Drops sphinx-thebe's scripts and stylesheet: jupyter-book always loads sphinx-thebe,
  whose inline config names a CDN URL and is added twice per page by Sphinx 7
  ("Identifier 'THEBE_JS_URL' has already been declared"). The book has no live-code
  (thebe) button, so nothing uses them.
- Removes any other duplicated inline script.
MathJax itself is served from the site by the sphinx-mathjax-offline extension.
"""

from __future__ import annotations


def _drop_thebe(app, pagename, templatename, context, doctree):
    seen, scripts = set(), []
    for js in context.get("script_files", []):
        name = str(js)
        body = getattr(js, "attributes", {}).get("body", "") if hasattr(js, "attributes") else ""
        if "sphinx-thebe" in name or "THEBE_JS_URL" in body:
            continue
        key = (name, body)
        if key in seen:
            continue
        seen.add(key)
        scripts.append(js)
    if "script_files" in context:
        context["script_files"][:] = scripts
    if "css_files" in context:
        context["css_files"][:] = [c for c in context["css_files"] if "sphinx-thebe" not in str(c)]


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
