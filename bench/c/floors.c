/*
 * floors: the round-trip floors between two pinned processes, the yardsticks for Ring's round trips
 * (`bench rtt`), and the probe that tells the machine's speed state (`bench refs`, `bench sweep`).
 *
 *   spin   busy-polling: the pinger writes a number into its own cache line, the ponger spins until it sees it
 *          and answers in its own line, the pinger spins until it sees the answer. A round trip moves one line
 *          each way, the least any shared-memory round trip can move: `bench rtt --mode poll` is measured
 *          against it.
 *   futex  sleeping: the same ping-pong, but each side sleeps in FUTEX_WAIT until the other wakes it with
 *          FUTEX_WAKE, so a round trip pays two wake-ups through the kernel: `bench rtt --mode event` is
 *          measured against it.
 *
 * usage: floors spin|futex [ROUND_TRIPS] [--cpus PINGER,PONGER]   (defaults: 200000 round trips, cores 0,1)
 * prints one line: spin rtt_ns=123.4 round_trips=200000   (the mean round trip)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The shared page: each word on its own cache line, each written by one side only. */
struct shared {
    _Alignas(64) _Atomic uint32_t ping;    /* written by the pinger: the round trip it started */
    _Alignas(64) _Atomic uint32_t pong;    /* written by the ponger: the round trip it answered */
    _Alignas(64) _Atomic uint32_t started; /* each side adds 1 once pinned; the clock starts when it reads 2 */
};

static void usage_error(const char *why)
{
    fprintf(stderr, "floors: %s\nusage: floors spin|futex [ROUND_TRIPS] [--cpus PINGER,PONGER]\n", why);
    exit(2);
}

/* Whether this process may run on cpu (checked before the fork, so a bad --cpus fails at once in both). */
static int cpu_allowed(int cpu)
{
    cpu_set_t set;
    return cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof set, &set) == 0 && CPU_ISSET(cpu, &set);
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        fprintf(stderr, "floors: cannot pin to core %d: %s\n", cpu, strerror(errno));
        exit(1);
    }
}

/* Pins this side and waits until the other one is pinned too, so neither times the other's start. */
static void start(struct shared *s, int cpu)
{
    pin(cpu);
    atomic_fetch_add_explicit(&s->started, 1, memory_order_relaxed);
    while (atomic_load_explicit(&s->started, memory_order_relaxed) < 2)
        ;
}

/* Sleeps while *word still holds value (the kernel checks it under its lock, so a wake between our load and this
 * call is not lost: FUTEX_WAIT then returns EAGAIN at once). Not FUTEX_PRIVATE_FLAG: the word is shared between
 * processes. */
static void futex_wait(_Atomic uint32_t *word, uint32_t value)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, value, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* R1 (release) / A1 (acquire): the number itself is all a round trip carries, so these order nothing else; they
 * keep each side's store and load in program order without a fence (plain moves on x86), as Ring's own
 * publication and poll do. The pinger's R1 pairs with the ponger's A1 on ping, and the other way on pong. */
static void spin_pinger(struct shared *s, uint32_t round_trips)
{
    for (uint32_t i = 1; i <= round_trips; i++) {
        atomic_store_explicit(&s->ping, i, memory_order_release); /* R1 */
        while (atomic_load_explicit(&s->pong, memory_order_acquire) != i) /* A1 */
            ;
    }
}

static void spin_ponger(struct shared *s, uint32_t round_trips)
{
    for (uint32_t i = 1; i <= round_trips; i++) {
        while (atomic_load_explicit(&s->ping, memory_order_acquire) != i) /* A1 */
            ;
        atomic_store_explicit(&s->pong, i, memory_order_release); /* R1 */
    }
}

/* The same exchange, sleeping: each store is followed by a wake (always: this is the floor of a round trip that
 * sleeps on both sides, as floor.c measures it), each wait sleeps while the word still holds the old value.
 * The store before the wake needs no more than release: the kernel's futex_wake orders it before its look for
 * sleepers (the smp_mb pairing in kernel/futex/waitwake.c), so a side about to sleep either sees the new value
 * in FUTEX_WAIT's check or is already queued and is woken. */
static void futex_pinger(struct shared *s, uint32_t round_trips)
{
    for (uint32_t i = 1; i <= round_trips; i++) {
        atomic_store_explicit(&s->ping, i, memory_order_release);
        futex_wake(&s->ping);
        uint32_t seen;
        while ((seen = atomic_load_explicit(&s->pong, memory_order_acquire)) != i)
            futex_wait(&s->pong, seen);
    }
}

static void futex_ponger(struct shared *s, uint32_t round_trips)
{
    for (uint32_t i = 1; i <= round_trips; i++) {
        uint32_t seen;
        while ((seen = atomic_load_explicit(&s->ping, memory_order_acquire)) != i)
            futex_wait(&s->ping, seen);
        atomic_store_explicit(&s->pong, i, memory_order_release);
        futex_wake(&s->pong);
    }
}

int main(int argc, char **argv)
{
    const char *mode = NULL;
    long round_trips = 200000;
    int pinger_cpu = 0, ponger_cpu = 1;
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cpus") == 0) {
            if (i + 1 == argc || sscanf(argv[++i], "%d,%d", &pinger_cpu, &ponger_cpu) != 2 || pinger_cpu < 0
                || ponger_cpu < 0)
                usage_error("--cpus takes two core numbers, like 0,1");
        } else if (positional == 0) {
            mode = argv[i];
            positional++;
        } else if (positional == 1) {
            char *end;
            round_trips = strtol(argv[i], &end, 10);
            if (end == argv[i] || *end != '\0' || round_trips < 1 || round_trips > 1000000000)
                usage_error("ROUND_TRIPS takes a whole number from 1 to 1000000000");
            positional++;
        } else {
            usage_error("unexpected argument");
        }
    }
    if (mode == NULL || (strcmp(mode, "spin") != 0 && strcmp(mode, "futex") != 0))
        usage_error("the first argument is spin or futex");
    if (!cpu_allowed(pinger_cpu) || !cpu_allowed(ponger_cpu))
        usage_error("--cpus names a core this process may not run on");
    int spin = strcmp(mode, "spin") == 0;

    struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        perror("floors: mmap");
        return 1;
    }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        perror("floors: fork");
        return 1;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* the ponger dies with the pinger, so it cannot wait for ever */
        if (getppid() == 1)
            _exit(1);
        start(s, ponger_cpu);
        (spin ? spin_ponger : futex_ponger)(s, (uint32_t)round_trips);
        _exit(0);
    }
    start(s, pinger_cpu);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    (spin ? spin_pinger : futex_pinger)(s, (uint32_t)round_trips);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "floors: the ponger failed\n");
        return 1;
    }
    double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
    printf("%s rtt_ns=%.1f round_trips=%ld\n", mode, ns / round_trips, round_trips);
    return 0;
}
