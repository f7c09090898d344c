/*
 * asyncfetch — the progress bar on standard error.
 *
 * It is drawn only when standard error is a terminal, the bodies do not
 * go to that terminal, -s and -v are not given, and the work is long:
 * several URLs, or a body of a megabyte or more, still running half a
 * second after the start. Never otherwise.
 */
#ifndef ASYNCFETCH_PROGRESS_H
#define ASYNCFETCH_PROGRESS_H

struct af_job;

typedef struct af_progress {
  struct af_job *job;
  int enabled; /* may be drawn at all */
  int shown;   /* a bar is on the screen now */
  int drawn;   /* a bar was drawn at some point */
  int stopped;
  double start; /* on the loop's clock */
} af_progress_t;

/* Decides whether a bar may be drawn and starts its timer if so. */
void af_progress_start(af_progress_t *progress, struct af_job *job);

/* Erases the bar (if shown) before other text goes to standard error. */
void af_progress_clear(af_progress_t *progress);

/* Stops the timer; a bar that was drawn is drawn complete, then ended
 * with a newline. */
void af_progress_finish(af_progress_t *progress);

#endif /* ASYNCFETCH_PROGRESS_H */
