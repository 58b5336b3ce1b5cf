/*
 * mxcep: src/ocr/threads.c: Tesseract's OpenMP threads held to one per
 * process (OMP_THREAD_LIMIT=1; a worker is already one of N). libgomp
 * reads its environment once, when the program is loaded, so setting
 * the variable later changes nothing: the program re-executes itself
 * with it set, first thing in main().
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocr/ocr.h"
#include "util/util.h"

int
ocr_threads_reexec(char *const argv[])
{
	const char *v = getenv("OMP_THREAD_LIMIT");

	if (v != NULL && strcmp(v, "1") == 0)
		return 0;
	if (setenv("OMP_THREAD_LIMIT", "1", 1) == -1) {
		log_warn("%s: setenv", __func__);
		return -1;
	}
	execv("/proc/self/exe", argv);
	log_warn("%s: execv /proc/self/exe", __func__);
	return -1;
}

int
ocr_threads_limited(void)
{
	int (*limit)(void);

	/* libgomp's answer when it is loaded (Debian's libtesseract
	 * links it), else the environment's */
	*(void **)&limit = dlsym(RTLD_DEFAULT, "omp_get_thread_limit");
	if (limit != NULL)
		return limit() == 1;
	return getenv("OMP_THREAD_LIMIT") != NULL &&
	    strcmp(getenv("OMP_THREAD_LIMIT"), "1") == 0;
}
