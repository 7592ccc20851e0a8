/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAPLACE_RECORD_H
#define NUMAPLACE_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cpuset.h"
#include "err.h"
#include "name.h"
#include "policy.h"

/*
 * One guest's reservation: what the ledger keeps as STATE/NAME.json and
 * what the advisor counts as already taken.
 */
/* 2 added "origin", "frontend", the noted numad request and "claimed";
 * version 1 records still read (origin NULL, frontend unknown). */
#define NP_RECORD_VERSION 2

/* Which front end made a record (SPEC: guest names are shared by every
 * front end, and a hook refuses a name another one holds). Version 1
 * records read as NP_FRONTEND_UNKNOWN, which any front end may take. */
enum np_frontend {
	NP_FRONTEND_UNKNOWN,
	NP_FRONTEND_CLI,
	NP_FRONTEND_LXC,
	NP_FRONTEND_LIBVIRT,
	NP_FRONTEND_OCI,
	NP_FRONTEND_MODULE,
};

/* The largest record text np_record_from_json() accepts, in bytes. */
#define NP_RECORD_TEXT_MAX (4u << 20)

enum np_phase {
	NP_PHASE_RESERVED, /* advised and booked, no cgroup touched */
	NP_PHASE_APPLYING, /* cgroup being written; a crash here is rolled back */
	NP_PHASE_PLACED,   /* cgroup written and PID moved (or group configured) */
};

/* What a guest holds on one node. Bookings are kept in ascending node id. */
struct np_booking {
	unsigned node;     /* OS node id */
	unsigned vcpus;    /* vCPUs counted against this node's CPUs */
	uint64_t memory;   /* bytes counted against this node's memory */
};

struct np_record {
	char name[NP_NAME_MAX + 1];
	enum np_phase phase;
	pid_t pid;                   /* 0: none (a `reserve` without a process) */
	uint64_t pid_start;          /* start time of pid (/proc/PID/stat field 22) */
	char boot_id[40];            /* "" when unknown */
	struct np_cpuset cpus;       /* the cpuset written (or to write) */
	struct np_cpuset mems;
	struct np_cpuset exclusive;  /* CPUs held exclusively; empty for a shared guest */
	struct np_cpuset nodes;      /* the node set chosen (CPU nodes and memory nodes) */
	unsigned vcpus;
	uint64_t memory;
	enum np_advisor_kind advisor;
	bool fallback;               /* the configured advisor failed; another decided */
	char *reason;                /* heap; why this advice (or the fallback) */
	unsigned nbookings;
	struct np_booking *bookings; /* heap */
	char *cgroup;                /* heap; group path below the cpuset root, NULL: none */
	bool cgroup_owned;           /* numaplace created the group and may remove it */
	int64_t time;                /* unix seconds of the decision */
	char *origin;                /* heap; the cpuset group the PID came from at
				      * place ("" the root), NULL: unknown */
	enum np_frontend frontend;   /* who made it */
	unsigned numad_vcpus;        /* the numad request libvirt will send (-w V:M), */
	uint64_t numad_mb;           /*   noted at prepare; 0: none */
	bool claimed;                /* `numaplace numad` answered with this reservation */
};

/* "cli", "lxc", "libvirt", "oci", "module"; "unknown" for NP_FRONTEND_UNKNOWN
 * and "?" outside the enum. */
const char *np_record_frontend_name(enum np_frontend fe);

/* Free the heap members and zero the record. */
void np_record_clear(struct np_record *rec);

/* Deep copy `src` into `dst` (which is overwritten, not freed). */
int np_record_copy(struct np_record *dst, const struct np_record *src, struct np_err *err);

/* Check what the reader would check: a valid name, a boot id that is ""
 * or 8-4-4-4-12 lowercase hex, members below NP_CPUSET_MAX, memory and
 * times within int64, bookings strictly ascending by node, a cgroup path
 * that is relative with no "", "." or ".." component, strings of valid
 * UTF-8 without NUL. Input error naming the field otherwise. */
int np_record_validate(const struct np_record *rec, struct np_err *err);

/* True when every field is equal (a NULL reason equals ""). */
bool np_record_equal(const struct np_record *a, const struct np_record *b);

/* "reserved", "applying", "placed"; "?" for a value outside the enum. */
const char *np_record_phase_name(enum np_phase phase);

/* Serialise as one JSON object with "version": NP_RECORD_VERSION, on one
 * line without a newline. Heap string. A record that fails
 * np_record_validate() is refused with that error: never write what the
 * reader would reject. */
int np_record_to_json(const struct np_record *rec, char **out, struct np_err *err);

/* Parse a record (NP_RECORD_VERSION, or version 1, which lacks "frontend",
 * "numad_vcpus", "numad_mb" and "claimed"); any missing, mistyped, unknown or out-of-range field, an
 * unknown version, text over NP_RECORD_TEXT_MAX, truncated text or
 * trailing bytes (other than blanks) is an input error naming what is
 * wrong (never a crash, never a partial record: `*out` untouched on
 * failure). A cpulist must be in canonical form. A key given twice keeps
 * its last value (json-c does not report duplicates). */
int np_record_from_json(const char *text, size_t len, struct np_record *out, struct np_err *err);

#endif
