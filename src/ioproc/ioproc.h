/*
 * ioproc.h -- the procedure's process-wide state (ioproc.c), set up and torn
 * down by DllMain (install.c).
 */
#ifndef ZMMIO_IOPROC_H
#define ZMMIO_IOPROC_H

/* Makes and frees the archives shared by every reading handle. Neither
 * starts or joins a thread, so both are safe in DllMain. */
void zmmio_ioproc_init(void);
void zmmio_ioproc_cleanup(void);

#endif
