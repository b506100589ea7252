#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Every tracked source file names its licence in an SPDX line near its top.

  scripts/spdx.py          check (`make lint`): list the files without one, exit 1
  scripts/spdx.py --fix    add the line where it is missing, in each language's comment form,
                           after a shebang or an encoding/magic line that must stay first

Generated files are exempt when their generator writes them whole: the Node loader and its
typings (napi-rs; `make node-generate`). The C header gets its line from cbindgen.toml.
"""
import subprocess
import sys

LICENSE = "MIT OR Apache-2.0"
TAG = "SPDX-License-Identifier:"
# Comment form by file ending.
FORMS = {
    ".rs": "// {}", ".java": "// {}", ".js": "// {}", ".mjs": "// {}", ".ts": "// {}",
    ".c": "/* {} */", ".h": "/* {} */",
    ".py": "# {}", ".pyi": "# {}", ".rb": "# {}", ".cr": "# {}", ".sh": "# {}",
    ".gemspec": "# {}", ".mk": "# {}", "Makefile": "# {}",
}
GENERATED = {"bindings-node/index.js", "bindings-node/index.d.ts"}
# How many lines from the top the tag may be found in.
WINDOW = 5


def form_of(path):
    for end, form in FORMS.items():
        if path.endswith(end):
            return form
    return None


def main():
    fix = "--fix" in sys.argv[1:]
    files = subprocess.run(["git", "ls-files"], check=True, capture_output=True, text=True).stdout.split()
    missing = []
    for path in files:
        form = form_of(path)
        if form is None or path in GENERATED:
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = text.splitlines(keepends=True)
        if any(TAG in line for line in lines[:WINDOW]):
            continue
        missing.append(path)
        if fix:
            at = 0
            # A shebang, and Ruby's frozen-string magic comment after it, stay on top.
            while at < len(lines) and (lines[at].startswith("#!") or lines[at].startswith("# frozen_string_literal")):
                at += 1
            lines.insert(at, form.format(f"{TAG} {LICENSE}") + "\n")
            with open(path, "w", encoding="utf-8") as f:
                f.write("".join(lines))
    if missing and not fix:
        print(f"{len(missing)} source files without an SPDX line (scripts/spdx.py --fix adds it):", file=sys.stderr)
        for path in missing:
            print(f"  {path}", file=sys.stderr)
        sys.exit(1)
    if fix:
        print(f"spdx: added the line to {len(missing)} files")


main()
