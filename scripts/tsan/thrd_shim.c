/* Routes C11 thread creation and joins through pthread_create/pthread_join, which ThreadSanitizer intercepts;
   glibc's thrd_create calls its internal pthread_create directly, so TSan would never see librdkafka's threads. */
#include <pthread.h>
#include <stdint.h>
#include <threads.h>
struct start { thrd_start_t func; void *arg; };
#include <stdlib.h>
static void *trampoline(void *p) { struct start s = *(struct start *)p; free(p); return (void *)(intptr_t)s.func(s.arg); }
int thrd_create(thrd_t *thr, thrd_start_t func, void *arg) {
    struct start *s = malloc(sizeof *s); s->func = func; s->arg = arg;
    return pthread_create(thr, NULL, trampoline, s) == 0 ? thrd_success : thrd_error;
}
int thrd_join(thrd_t thr, int *res) { void *r; if (pthread_join(thr, &r) != 0) return thrd_error; if (res) *res = (int)(intptr_t)r; return thrd_success; }
int thrd_detach(thrd_t thr) { return pthread_detach(thr) == 0 ? thrd_success : thrd_error; }
int mtx_lock(mtx_t *m) { return pthread_mutex_lock((pthread_mutex_t *)m) == 0 ? thrd_success : thrd_error; }
int mtx_unlock(mtx_t *m) { return pthread_mutex_unlock((pthread_mutex_t *)m) == 0 ? thrd_success : thrd_error; }
int mtx_trylock(mtx_t *m) { int r = pthread_mutex_trylock((pthread_mutex_t *)m); return r == 0 ? thrd_success : thrd_busy; }
int cnd_wait(cnd_t *c, mtx_t *m) { return pthread_cond_wait((pthread_cond_t *)c, (pthread_mutex_t *)m) == 0 ? thrd_success : thrd_error; }
int cnd_timedwait(cnd_t *c, mtx_t *m, const struct timespec *t) { int r = pthread_cond_timedwait((pthread_cond_t *)c, (pthread_mutex_t *)m, t); return r == 0 ? thrd_success : r == 110 ? thrd_timedout : thrd_error; }
int cnd_signal(cnd_t *c) { return pthread_cond_signal((pthread_cond_t *)c) == 0 ? thrd_success : thrd_error; }
int cnd_broadcast(cnd_t *c) { return pthread_cond_broadcast((pthread_cond_t *)c) == 0 ? thrd_success : thrd_error; }
