# SPDX-License-Identifier: LGPL-2.1-or-later
# jsonflat.awk: flatten one JSON document into `PATH<TAB>VALUE` lines, one
# per scalar, in document order, for shell tests that have no jq (busybox).
#   {"a":[1,{"b":"x"}],"c":""}  ->  .a[0] 1 / .a[1].b x / .c (empty)
# Strings are printed unquoted with \" \\ \/ \n \t unescaped (\uXXXX kept
# as is); numbers, true, false and null as written; an empty array or
# object as [] or {}. Malformed input: a message on stderr and exit 1.

function fail(msg) {
	printf "jsonflat: %s at offset %d\n", msg, pos > "/dev/stderr"
	bad = 1
	exit 1
}

function peek() {
	return substr(doc, pos, 1)
}

function skip_ws() {
	while (pos <= len && index(" \t\r\n", peek()) > 0)
		pos++
}

function expect(c) {
	skip_ws()
	if (peek() != c)
		fail("expected " c)
	pos++
}

function parse_string(    out, c, e) {
	expect("\"")
	out = ""
	while (pos <= len) {
		c = peek()
		if (c == "\"") {
			pos++
			return out
		}
		if (c == "\\") {
			e = substr(doc, pos + 1, 1)
			pos += 2
			if (e == "n")
				out = out "\n"
			else if (e == "t")
				out = out "\t"
			else if (e == "u")
				out = out "\\u"
			else if (index("\"\\/bfr", e) > 0)
				out = out e
			else
				fail("bad escape")
			continue
		}
		out = out c
		pos++
	}
	fail("unterminated string")
}

function parse_literal(path,    start, v) {
	start = pos
	while (pos <= len && index(",}] \t\r\n", peek()) == 0)
		pos++
	v = substr(doc, start, pos - start)
	if (v !~ /^(true|false|null|-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)$/)
		fail("bad value")
	print path "\t" v
}

function parse_array(path,    i, c) {
	expect("[")
	skip_ws()
	if (peek() == "]") {
		pos++
		print path "\t[]"
		return
	}
	for (i = 0; ; i++) {
		parse_value(path "[" i "]")
		skip_ws()
		c = peek()
		pos++
		if (c == "]")
			return
		if (c != ",")
			fail("expected , or ]")
	}
}

function parse_object(path,    key, c) {
	expect("{")
	skip_ws()
	if (peek() == "}") {
		pos++
		print path "\t{}"
		return
	}
	for (;;) {
		key = parse_string()
		expect(":")
		parse_value(path "." key)
		skip_ws()
		c = peek()
		pos++
		if (c == "}")
			return
		if (c != ",")
			fail("expected , or }")
	}
}

function parse_value(path,    c) {
	skip_ws()
	c = peek()
	if (c == "{")
		parse_object(path)
	else if (c == "[")
		parse_array(path)
	else if (c == "\"")
		print path "\t" parse_string()
	else
		parse_literal(path)
}

{
	doc = doc $0 "\n"
}

END {
	if (bad)
		exit 1
	len = length(doc)
	pos = 1
	parse_value("")
	skip_ws()
	if (pos <= len)
		fail("trailing data")
}
