#!/usr/bin/python3
"""Summarises a DOM that Chromium dumped (--dump-dom) for the dashboard tests, as JSON on stdout.

Reads the serialized DOM on stdin and parses it with the standard library's HTML parser (no
regular expressions over markup). Because Chromium serializes what it built, every element here
is one the browser created: an injected <script> would show up as an element, an escaped one as
text.

Output:
  marks        {chart: count} of elements whose class list has "mark", by data-chart
  mark_currencies {chart: {currency: count}} for marks that carry data-currency (as parsed)
  empty        [data-chart of elements with class "empty"]
  charts       [data-chart of <svg class="chart">]
  tags         {tag: count} of every element
  external     [src/href/xlink:href/action values that would fetch something]
  fields       {data-field: its text}
  text         all text nodes outside <style>, joined by newlines
"""
import json
import sys
from html.parser import HTMLParser


class Summary(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.marks = {}
        self.mark_currencies = {}
        self.empty = []
        self.charts = []
        self.tags = {}
        self.external = []
        self.fields = {}
        self.texts = []
        self.in_style = 0
        # Open elements with a data-field, and the text collected inside each.
        self.field_stack = []

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        classes = (a.get("class") or "").split()
        chart = a.get("data-chart")
        if "mark" in classes:
            self.marks[chart] = self.marks.get(chart, 0) + 1
            if "data-currency" in a:
                by = self.mark_currencies.setdefault(chart, {})
                by[a["data-currency"]] = by.get(a["data-currency"], 0) + 1
        if "empty" in classes:
            self.empty.append(chart)
        if tag == "svg" and "chart" in classes:
            self.charts.append(chart)
        for name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
            value = a.get(name)
            if value is not None and not value.startswith("#"):
                self.external.append(value)
        if tag == "style":
            self.in_style += 1
        if tag in self.VOID:
            return
        self.field_stack.append((tag, a.get("data-field"), []))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = max(0, self.in_style - 1)
        # Pop to the matching element (the serialized DOM is well nested).
        while self.field_stack:
            open_tag, field, parts = self.field_stack.pop()
            if field is not None:
                self.fields[field] = " ".join(" ".join(parts).split())
            if self.field_stack:
                self.field_stack[-1][2].extend(parts)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.in_style:
            return
        self.texts.append(data)
        if self.field_stack:
            self.field_stack[-1][2].append(data)


def main():
    parser = Summary()
    parser.feed(sys.stdin.read())
    parser.close()
    json.dump({
        "marks": parser.marks,
        "mark_currencies": parser.mark_currencies,
        "empty": parser.empty,
        "charts": parser.charts,
        "tags": parser.tags,
        "external": parser.external,
        "fields": parser.fields,
        "text": "\n".join(parser.texts),
    }, sys.stdout)


if __name__ == "__main__":
    main()
