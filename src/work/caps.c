/*
 * mxcep: the host-wide cap on Banxico-bound work inside the FastCGI
 * workers. A synchronous validation waits for Banxico (up to
 * banxico_timeout_ms, plus the rate wait) in its request, and an async
 * validation's job runs in the worker after its 202: either can take a
 * worker for seconds. At most banxico_max_concurrent of them run at
 * once on the host (default: one worker less than there are), so a
 * worker is always left for reads. Over the cap a synchronous request
 * is refused at once (503 busy) and an after-response job is left to
 * mxcep-runner. After-response jobs get one slot less (at least one):
 * a flood of async validations with Banxico slow cannot take the last
 * slot from synchronous ones. Each of them, like an export, also holds
 * one of the host's "held" slots (work_held_take): the caps bound their
 * kinds, and the kinds together cannot hold more workers than the larger
 * cap. The slots are flock(2) slots in lock_dir (util/slot.c): a process
 * that dies frees its slot.
 */
#include "work/work.h"

#define WORK_BANXICO_SLOT	"banxico"
#define WORK_HELD_SLOT		"held"

/* a cap as set, or its default: one worker less than there are, at
 * least 1, so that kind of work never holds every worker */
static int
cap_or_default(const struct config *cfg, int set)
{
	if (set > 0)
		return set;
	return cfg->workers > 1 ? cfg->workers - 1 : 1;
}

int
work_banxico_max(const struct config *cfg)
{
	return cap_or_default(cfg, cfg->banxico_max_concurrent);
}

int
work_banxico_job_max(const struct config *cfg)
{
	int	 max = work_banxico_max(cfg);

	return max > 1 ? max - 1 : 1;
}

/* slot_take tries the slots in order: with max - 1, the last slot is
 * one only a synchronous request can take */
static int
banxico_slot(struct app *app, int max)
{
	const struct config	*cfg = app->cfg;
	int			 fd;

	if (cfg->lock_dir == NULL || cfg->lock_dir[0] == '\0')
		return WORK_SLOT_NONE;
	fd = slot_take(cfg->lock_dir, WORK_BANXICO_SLOT, max);
	if (fd == SLOT_FULL)
		return WORK_SLOT_FULL;
	if (fd == SLOT_ERROR) {
		/* a broken folder must not stop every validation; said once
		 * per process, not at every request */
		if (!app->lock_dir_warned)
			log_warn("lock_dir %s: Banxico-bound work runs uncapped "
			    "in this process (banxico_max_concurrent)",
			    cfg->lock_dir);
		app->lock_dir_warned = 1;
		return WORK_SLOT_NONE;
	}
	if (work_held_take(app) == WORK_SLOT_FULL) {
		slot_release(fd);
		return WORK_SLOT_FULL;
	}
	return fd;
}

int
work_banxico_slot(struct app *app)
{
	return banxico_slot(app, work_banxico_max(app->cfg));
}

int
work_banxico_job_slot(struct app *app)
{
	return banxico_slot(app, work_banxico_job_max(app->cfg));
}

void
work_banxico_release(struct app *app, int slot)
{
	slot_release(slot);
	work_held_release(app);
}

int
work_export_max(const struct config *cfg)
{
	return cap_or_default(cfg, cfg->export_max_concurrent);
}

int
work_held_max(const struct config *cfg)
{
	int	 b = work_banxico_max(cfg), e = work_export_max(cfg);

	return b > e ? b : e;
}

int
work_held_take(struct app *app)
{
	const struct config	*cfg = app->cfg;
	int			 fd;

	if (app->held_slot > 0 || cfg->lock_dir == NULL ||
	    cfg->lock_dir[0] == '\0')
		return 0;
	fd = slot_take(cfg->lock_dir, WORK_HELD_SLOT, work_held_max(cfg));
	if (fd == SLOT_FULL)
		return WORK_SLOT_FULL;
	if (fd == SLOT_ERROR) {
		if (!app->lock_dir_warned)
			log_warn("lock_dir %s: long-held work runs uncapped in "
			    "this process", cfg->lock_dir);
		app->lock_dir_warned = 1;
		return 0;
	}
	app->held_slot = fd + 1;
	return 0;
}

void
work_held_release(struct app *app)
{
	if (app->held_slot > 0)
		slot_release(app->held_slot - 1);
	app->held_slot = 0;
}
