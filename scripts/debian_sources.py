#!/usr/bin/env python3
"""Prints one-line apt sources for the Debian archives the host already uses
(entries signed by Debian's keyring or pointing at a Debian archive path),
so that guest packages come from the same registry as the host's."""
import glob
import re


def deb822_entries(text):
    for stanza in re.split(r"\n\s*\n", text):
        fields = {}
        key = None
        for line in stanza.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0].isspace() and key:
                fields[key] += " " + line.strip()
                continue
            if ":" in line:
                key, val = line.split(":", 1)
                fields[key.strip().lower()] = val.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        yield fields.get("uris", ""), fields.get("suites", ""), fields.get("components", ""), \
            fields.get("signed-by", "")


def is_debian(uri, signed_by):
    return "debian-archive-keyring" in signed_by or re.search(r"/debian(-security)?/?$", uri)


def main():
    seen = set()
    out = []
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            for uris, suites, comps, signed in deb822_entries(f.read()):
                for uri in uris.split():
                    if not is_debian(uri, signed):
                        continue
                    for suite in suites.split():
                        out.append((uri, suite, comps))
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            lines = open(path).read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)", line)
            if m and is_debian(m.group(2), m.group(1) or ""):
                out.append((m.group(2), m.group(3), m.group(4)))
    for uri, suite, comps in out:
        if (uri, suite) in seen:
            continue
        seen.add((uri, suite))
        print(f"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] {uri} {suite} {comps or 'main'}")


main()
