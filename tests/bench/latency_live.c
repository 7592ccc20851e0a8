/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Latency on this machine: the engine kept open and the whole command. */
#include "latency.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "latency_engine.h"

#define NP_LAT_WARMUP 10u

/* A process to place: it waits to be killed, and dies with this one. */
static pid_t np_lat_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

static void np_lat_child_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The cpuset mount, or NULL (with the reason printed) when there is none. */
static char *np_lat_cpuset_mount(void)
{
	struct np_err err = NP_ERR_INIT;
	struct np_cgroup *cg = NULL;
	char *mount = NULL;

	if (np_cgroup_open("/proc", &cg, &err) < 0) {
		printf("  place: skipped: %s\n", err.msg);
		np_err_clear(&err);
		return NULL;
	}
	mount = strdup(np_cgroup_mount(cg));
	np_cgroup_close(cg);
	return mount;
}

/* Remove MOUNT/PARENT/numaplace/GUEST, MOUNT/PARENT/numaplace and
 * MOUNT/PARENT: the groups this run made (empty by now). */
static void np_lat_remove_groups(const char *mount, const char *parent)
{
	static const char *const below[] = { "/numaplace/bench-place", "/numaplace", "" };

	for (size_t i = 0; mount && i < NP_ARRAY_SIZE(below); i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s%s", mount, parent, below[i]) < 0)
			return;
		if (rmdir(path) < 0 && errno != ENOENT)
			fprintf(stderr, "bench_latency: rmdir %s: %s\n", path, strerror(errno));
	}
}

/* The engine on this machine, three series. */
static int np_lat_live_engine(struct np_lat *lat, struct np_engine *eng, pid_t child)
{
	struct np_lat_eng ctx = { .eng = eng };
	struct np_bench_stats st;
	int r;

	ctx.req = (struct np_request_opts){ .name = "bench-advise", .vcpus = 1,
					    .memory = 64u << 20 };
	r = np_lat_series(lat, "advise", "in-process", lat->runs, NP_LAT_WARMUP,
			  np_lat_eng_advise, &ctx, &st);
	ctx.req.name = "bench-reserve";
	if (r == 0)
		r = np_lat_series(lat, "reserve + release", "in-process", lat->runs,
				  NP_LAT_WARMUP, np_lat_eng_reserve, &ctx, &st);
	ctx.req.name = "bench-place";
	ctx.req.pid = child;
	ctx.req.target = NP_TARGET_CREATE;
	if (r == 0 && child > 0)
		r = np_lat_series(lat, "place + release --force", "in-process", lat->runs,
				  NP_LAT_WARMUP, np_lat_eng_place, &ctx, &st);
	return r;
}

/* The whole command on this machine, three series. */
static int np_lat_live_command(struct np_lat *lat, const char *conf, const char *state,
			       pid_t child)
{
	char pid[24];
	const char *const advise[] = { "advise", "bench-advise", "--vcpus", "1", "--memory", "64M", NULL };
	const char *const reserve[] = { "reserve", "bench-reserve", "--vcpus", "1", "--memory", "64M", NULL };
	const char *const unreserve[] = { "release", "bench-reserve", NULL };
	const char *const place[] = { "place", "bench-place", pid, "--vcpus", "1", "--memory", "64M", NULL };
	const char *const unplace[] = { "release", "--force", "bench-place", NULL };
	struct np_lat_cmd one, two[2];
	struct np_bench_stats st;
	int r;

	snprintf(pid, sizeof(pid), "%d", (int)child);
	np_lat_cmd_init(&one, lat, conf, state, NULL, advise);
	r = np_lat_series(lat, "advise", "command", lat->runs, NP_LAT_WARMUP, np_lat_cmd_op,
			  &one, &st);
	lat->advise_cmd_us = r == 0 ? st.median_us : 0;
	np_lat_cmd_init(&two[0], lat, conf, state, NULL, reserve);
	np_lat_cmd_init(&two[1], lat, conf, state, NULL, unreserve);
	if (r == 0)
		r = np_lat_series(lat, "reserve + release", "command", lat->runs, NP_LAT_WARMUP,
				  np_lat_cmd_pair_op, two, &st);
	np_lat_cmd_init(&two[0], lat, conf, state, NULL, place);
	np_lat_cmd_init(&two[1], lat, conf, state, NULL, unplace);
	if (r == 0 && child > 0)
		r = np_lat_series(lat, "place + release --force", "command", lat->runs,
				  NP_LAT_WARMUP, np_lat_cmd_pair_op, two, &st);
	return r;
}

/* For scale, on fewer runs: the floor of any command, fork + exec of
 * /bin/true until it exits. */
static int np_lat_live_floor(struct np_lat *lat)
{
	struct np_lat_cmd floor = { { (char *)"/bin/true", NULL }, &lat->cpu };
	unsigned runs = lat->runs / 5 ? lat->runs / 5 : 1;
	struct np_bench_stats st;

	return np_lat_series(lat, "fork + exec of /bin/true (floor)", "command", runs,
			     NP_LAT_WARMUP, np_lat_cmd_op, &floor, &st);
}

/* A config whose cgroup-parent is PARENT/numaplace, below a group that
 * must not exist yet. */
static int np_lat_live_config(const struct np_lat *lat, const char *mount, const char *conf)
{
	_cleanup_free_ char *text = NULL, *group = NULL;
	struct stat sb;

	if (mount && asprintf(&group, "%s/%s", mount, lat->parent) >= 0 && stat(group, &sb) == 0) {
		fprintf(stderr, "bench_latency: %s exists already: pick another --parent\n", group);
		return -1;
	}
	if (asprintf(&text, "[placement]\ncgroup-parent = %s/numaplace\n", lat->parent) < 0)
		return -1;
	return np_lat_write_file(conf, text);
}

int np_lat_live(struct np_lat *lat)
{
	_cleanup_free_ char *conf = np_lat_path(lat->work, "live.conf");
	_cleanup_free_ char *state = np_lat_path(lat->work, "state-live");
	_cleanup_free_ char *mount = NULL;
	struct np_engine *eng = NULL;
	pid_t child = -1;
	int r;

	printf("\nthis machine (live topology, cgroup-parent %s/numaplace, request 1 vcpu, 64M):\n",
	       lat->parent);
	lat->rep.section = "live";
	mount = np_lat_cpuset_mount();
	if (!conf || !state || np_lat_live_config(lat, mount, conf) < 0)
		return -1;
	r = np_lat_engine_open(conf, state, NULL, &eng);
	if (r == 0 && mount)
		child = np_lat_child();
	if (r == 0)
		r = np_lat_live_engine(lat, eng, child);
	if (r == 0)
		r = np_lat_live_command(lat, conf, state, child);
	if (r == 0)
		r = np_lat_live_floor(lat);
	if (eng)
		np_engine_release(eng, "bench-place", true, NULL);
	np_engine_close(eng);
	np_lat_child_stop(child);
	np_lat_remove_groups(mount, lat->parent);
	return r;
}
