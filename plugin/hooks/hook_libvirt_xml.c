/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading the little numaplace needs of a libvirt domain XML. */
#include "hook_libvirt.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cpulist.h"
#include "quote.h"

/* The largest <memory> numaplace takes, in KiB (2^50 KiB = 1 EiB). */
#define NP_DOMAIN_KIB_MAX (UINT64_C(1) << 50)

void np_domain_clear(struct np_domain *dom)
{
	free(dom->name);
	free(dom->uuid);
	memset(dom, 0, sizeof(*dom));
}

static void np_xml_freep(xmlDoc **doc)
{
	if (*doc)
		xmlFreeDoc(*doc);
}

static void np_xml_strfreep(xmlChar **s)
{
	if (*s)
		xmlFree(*s);
}

#define _cleanup_xmldoc_ __attribute__((cleanup(np_xml_freep)))
#define _cleanup_xmlstr_ __attribute__((cleanup(np_xml_strfreep)))

static bool np_xml_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first child element of `parent` called `name`, or NULL. */
static xmlNode *np_xml_child(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent->children; n; n = n->next)
		if (np_xml_is(n, name))
			return n;
	return NULL;
}

/* The text of `n`, blanks around it trimmed, as a heap string. */
static char *np_xml_text(xmlNode *n)
{
	_cleanup_xmlstr_ xmlChar *raw = xmlNodeGetContent(n);
	const char *s = raw ? (const char *)raw : "";
	size_t len;

	s += strspn(s, " \t\r\n");
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	return strndup(s, len);
}

/* A decimal count in 1..max. */
static int np_domain_number(const char *what, const char *text, uint64_t max, uint64_t *out,
			    struct np_err *err)
{
	_cleanup_free_ char *quoted = NULL;
	unsigned long long v;
	char *end;

	errno = 0;
	v = text[0] >= '0' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
	if (v >= 1 && v <= max && errno == 0 && *end == '\0') {
		*out = v;
		return 0;
	}
	quoted = np_quote_string(text, 32);
	return np_err_input(err, "domain XML: %s %s is not a number in 1..%llu", what,
			    quoted ? quoted : "(?)", (unsigned long long)max);
}

struct np_unit {
	const char *name;
	uint64_t bytes;
};

/* libvirt's memory units (docs: formatdomain "memory"); "" is KiB. */
static const struct np_unit np_units[] = {
	{ "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 }, { "", 1024 },
	{ "MB", 1000000 }, { "M", 1u << 20 }, { "MiB", 1u << 20 },
	{ "GB", 1000000000 }, { "G", 1u << 30 }, { "GiB", 1u << 30 },
	{ "TB", UINT64_C(1000000000000) }, { "T", UINT64_C(1) << 40 }, { "TiB", UINT64_C(1) << 40 },
};

static int np_domain_memory(xmlNode *mem, struct np_domain *dom, struct np_err *err)
{
	_cleanup_xmlstr_ xmlChar *unit = xmlGetProp(mem, (const xmlChar *)"unit");
	_cleanup_free_ char *text = np_xml_text(mem);
	const char *u = unit ? (const char *)unit : "";
	uint64_t value = 0;
	size_t i;

	if (!text)
		return np_err_set(err, -ENOMEM, "out of memory");
	for (i = 0; i < NP_ARRAY_SIZE(np_units) && strcmp(np_units[i].name, u) != 0; i++)
		;
	if (i == NP_ARRAY_SIZE(np_units)) {
		_cleanup_free_ char *quoted = np_quote_string(u, 16);

		return np_err_input(err, "domain XML: <memory unit=%s>: unknown unit",
				    quoted ? quoted : "(?)");
	}
	if (np_domain_number("<memory>", text, NP_DOMAIN_KIB_MAX * 1024 / np_units[i].bytes,
			     &value, err) < 0)
		return -EINVAL;
	/* value * bytes fits: value <= 2^60 / bytes */
	dom->memory_kib = (value * np_units[i].bytes + 1023) / 1024;
	return 0;
}

/* Add the cpuset= attribute of `n`, when it has one, to the pins. */
static int np_domain_pin(xmlNode *n, struct np_domain *dom, struct np_err *err)
{
	_cleanup_xmlstr_ xmlChar *list = xmlGetProp(n, (const xmlChar *)"cpuset");
	struct np_cpuset set;

	if (!list)
		return 0;
	if (np_cpulist_parse((const char *)list, NP_CPULIST_LIBVIRT, &set, err) < 0)
		return np_err_wrap(err, "domain XML: <%s cpuset=…>", (const char *)n->name);
	np_cpuset_or(&dom->cpus, &dom->cpus, &set);
	dom->pinned = true;
	return 0;
}

static int np_domain_vcpu(xmlNode *vcpu, struct np_domain *dom, struct np_err *err)
{
	_cleanup_free_ char *text = np_xml_text(vcpu);
	uint64_t n = 0;

	if (!text)
		return np_err_set(err, -ENOMEM, "out of memory");
	if (np_domain_number("<vcpu>", text, 4096, &n, err) < 0)
		return -EINVAL;
	dom->vcpus = (unsigned)n;
	return np_domain_pin(vcpu, dom, err);
}

static int np_domain_cputune(xmlNode *tune, struct np_domain *dom, struct np_err *err)
{
	for (xmlNode *n = tune->children; n; n = n->next) {
		int r = 0;

		if (np_xml_is(n, "vcpupin") || np_xml_is(n, "emulatorpin"))
			r = np_domain_pin(n, dom, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* <name> (required) and <uuid>. */
static int np_domain_ids(xmlNode *root, struct np_domain *dom, struct np_err *err)
{
	xmlNode *name = np_xml_child(root, "name");
	xmlNode *uuid = np_xml_child(root, "uuid");

	if (!name)
		return np_err_input(err, "domain XML: no <name>");
	dom->name = np_xml_text(name);
	if (uuid)
		dom->uuid = np_xml_text(uuid);
	if (!dom->name || (uuid && !dom->uuid))
		return np_err_set(err, -ENOMEM, "out of memory");
	if (!dom->name[0])
		return np_err_input(err, "domain XML: empty <name>");
	return 0;
}

static int np_domain_read(xmlNode *root, struct np_domain *dom, struct np_err *err)
{
	xmlNode *vcpu = np_xml_child(root, "vcpu");
	xmlNode *mem = np_xml_child(root, "memory");
	xmlNode *tune = np_xml_child(root, "cputune");
	int r;

	if (!np_xml_is(root, "domain"))
		return np_err_input(err, "domain XML: the root element is not <domain>");
	if ((r = np_domain_ids(root, dom, err)) < 0 ||
	    (vcpu && (r = np_domain_vcpu(vcpu, dom, err)) < 0) ||
	    (mem && (r = np_domain_memory(mem, dom, err)) < 0) ||
	    (tune && (r = np_domain_cputune(tune, dom, err)) < 0))
		return r;
	return 0;
}

int np_domain_parse(const char *text, size_t len, struct np_domain *out, struct np_err *err)
{
	_cleanup_xmldoc_ xmlDoc *doc = NULL;
	struct np_domain dom = { 0 };
	int r;

	if (len == 0)
		return np_err_input(err, "domain XML on stdin is empty");
	if (len > INT_MAX)
		return np_err_input(err, "domain XML on stdin is too large");
	doc = xmlReadMemory(text, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc || !xmlDocGetRootElement(doc)) {
		const xmlError *e = xmlGetLastError();

		if (e && e->line > 0)
			return np_err_input(err, "domain XML on stdin: not well-formed XML "
					    "(line %d)", e->line);
		return np_err_input(err, "domain XML on stdin: not well-formed XML");
	}
	r = np_domain_read(xmlDocGetRootElement(doc), &dom, err);
	if (r < 0) {
		np_domain_clear(&dom);
		return r;
	}
	*out = dom;
	return 0;
}
