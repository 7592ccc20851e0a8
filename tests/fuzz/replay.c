/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays a fuzz corpus without libFuzzer: feeds every file of each
 * directory (or each file) named on the command line to
 * LLVMFuzzerTestOneInput, so ctest exercises the corpus in every build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int np_replay_file(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "rb");
	_cleanup_free_ uint8_t *data = NULL;
	long size;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	data = malloc((size_t)size + 1);
	if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, (size_t)size);
	return 0;
}

static int np_replay_dir(const char *dir, unsigned *count)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	int r = 0;

	if (n < 0) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *path = NULL;

		if (names[i]->d_name[0] != '.' &&
		    asprintf(&path, "%s/%s", dir, names[i]->d_name) >= 0) {
			if (np_replay_file(path) < 0)
				r = -1;
			(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int r = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			r |= np_replay_dir(argv[i], &count);
		else if (np_replay_file(argv[i]) == 0)
			count++;
		else
			r = -1;
	}
	if (count == 0) {
		fprintf(stderr, "replay: no inputs\n");
		return 1;
	}
	printf("replayed %u inputs\n", count);
	return r ? 1 : 0;
}
