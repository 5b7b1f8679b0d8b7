/*
 * cring: a bare C ring of the same design as Ring's layout v2, the project's own baseline for `bench refs`.
 *
 * Design. Two processes (fork) over one shared anonymous mapping, each pinned to its own core. The guest (the
 * parent, as Ring's Consumer is the side that creates the region) owns a pool of NB buffers STRIDE bytes apart,
 * each named only by its byte offset from the pool's start. As in Ring, the buffers are packed (the stride is the
 * buffer size rounded up to a cache line: 2048) and there are more of them than a ring has entries (NB = 4 x RS
 * by default): at most a ring's worth is with the device at once, the others wait in the guest's free list, first
 * in, first out, so a buffer is written again only after every other one has been, long after the device's cache
 * let go of its lines. One direction runs at a time, over two rings:
 *
 *   rx:  fill ring        guest -> device   8-byte entries      a free buffer the device may fill
 *        completion ring  device -> guest   16-byte descriptors a received packet
 *   tx:  tx ring          guest -> device   16-byte descriptors a packet to send
 *        tx completion    device -> guest   8-byte entries      a sent buffer, free again
 *
 * There is no shared producer or consumer index. Every entry carries its ring's generation bit (VMXNET3): the
 * writer's lap 0 writes 1, lap 1 writes 0, and so on, so memory still zeroed reads "not ready". The reader polls
 * the next entry itself and takes it when the entry's bit equals the generation of the reader's own lap, so no
 * index line has to cross between the cores before the entry does.
 *
 * Why no ring can overflow, although no writer ever reads how far its reader got, and although the pool holds more
 * buffers than a ring holds entries: the guest counts the entries it has written to its ring (fill or tx) and the
 * answers it has read back (completions), and writes position p only while fewer than RS are unanswered, that is
 * after it has read answer p - RS. The device answers entries in the order it takes them and only after taking
 * them, so it had read position p - RS, the one whose slot p reuses. The device, in turn, writes an answer only
 * for an entry it took: its answer q has at most RS unread answers before it, because the guest never has more
 * than RS entries unanswered, so the guest had read answer q - RS. Neither bound depends on NB. The happens-before
 * runs through the other ring's release and acquire (R1/A1, R2/A2 below).
 *
 * Entries are copied once, then validated (an offset must name a buffer's start, a length must fit a buffer),
 * then used: the copy, never the slot, as Ring does with a peer it does not trust. A bad entry is counted and
 * dropped.
 *
 * usage: cring [--direction rx|tx] [--packets N | --seconds S] [--size BYTES] [--buffers NB] [--stride BYTES]
 *              [--buffer-size BYTES] [--ring-size RS] [--burst N] [--cpus GUEST,DEVICE]
 * defaults: rx, 5 seconds, 64-byte packets, 2048-byte buffers, the stride the buffer size rounded up to 64,
 *           RS 1024 (a power of two), NB 4 x RS, bursts of 32, cores 0 and 1
 * prints one line: cring dir=rx pkt=64 nb=4096 stride=2048 rs=1024 burst=32 packets=... seconds=... Mpps=...
 *                  Gbps=... bad=0
 * exits 0 when every packet arrived in order and nothing was bad, 1 otherwise, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- The shared layout ------------------------------------------------------------------------------------ */

/* Fill and tx-completion entries, 8 bytes: a pool offset with the ring's generation in bit 0 (offsets are
 * multiples of 64, so bit 0 is free). */
#define ENTRY_GENERATION UINT64_C(1)

/* Rx-completion and tx descriptors, 16 bytes:
 *
 *   0                   8              12             14             16
 *   +-------------------+--------------+--------------+--------------+
 *   | offset (u64)      | length (u32) | flags (u16)  | reserved (0) |
 *   +-------------------+--------------+--------------+--------------+
 *
 * The offset is stored first; the 8-byte word at 8 (length | flags << 32) last, with release: its GENERATION flag
 * publishes the descriptor. */
struct descriptor {
    _Atomic uint64_t offset; /* @0: the buffer, as a byte offset from the pool's start */
    _Atomic uint64_t word;   /* @8: length (bits 0-31) | flags (bits 32-47) | reserved (bits 48-63) */
};
#define FLAG_END_OF_PACKET UINT64_C(0x0001) /* flags bit 0: the packet's last (here: only) descriptor */
#define FLAG_GENERATION UINT64_C(0x8000)    /* flags bit 15: the ring's generation when it was written */
#define FLAGS_SHIFT 32

_Static_assert(sizeof(struct descriptor) == 16, "a descriptor is 16 bytes");

/* Written once by each side, at the end, and read by the parent after waitpid. */
struct side_result {
    uint64_t sent;
    uint64_t received;
    uint64_t bad;
    uint64_t nanoseconds; /* the receiver's: from the start line to its last packet */
};

/* The control block: what the two sides share besides the rings. Each word has its own cache line. */
struct control {
    /* Each side adds 1 once pinned; both start their clocks when it reads 2, so neither times the other's start. */
    _Alignas(64) _Atomic uint32_t started;
    /* Packets the sender sends: --packets from the start, or, with --seconds, UINT64_MAX until the sender stops
     * and stores what it sent. The receiver reads it only when its ring looks empty. */
    _Alignas(64) _Atomic uint64_t total;
    _Alignas(64) struct side_result guest;
    _Alignas(64) struct side_result device;
};

/* ---- Options ------------------------------------------------------------------------------------------------ */

#define MAX_BURST 256u
#define SEQUENCE_BYTES 8u /* the sender writes a sequence number into each packet's first 8 bytes */

struct options {
    bool tx;
    uint64_t packets;  /* 0: run for seconds */
    double seconds;
    uint32_t size;
    uint32_t buffers;
    uint32_t stride;
    uint32_t capacity; /* a buffer's usable bytes: a packet's length may not exceed it */
    uint32_t ring_size;
    uint32_t burst;
    int guest_cpu;
    int device_cpu;
};

static void usage_error(const char *why)
{
    fprintf(stderr, "cring: %s\nusage: cring [--direction rx|tx] [--packets N | --seconds S] [--size BYTES] "
                    "[--buffers NB] [--stride BYTES] [--buffer-size BYTES] [--ring-size RS] [--burst N] "
                    "[--cpus GUEST,DEVICE]\n", why);
    exit(2);
}

static uint64_t parse_number(const char *text, const char *name, uint64_t min, uint64_t max)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
        char why[128];
        snprintf(why, sizeof why, "--%s takes a whole number from %llu to %llu, not '%s'", name,
                 (unsigned long long)min, (unsigned long long)max, text);
        usage_error(why);
    }
    return value;
}

/* Whether this process may run on cpu (checked before the fork, so a bad --cpus fails at once in both). */
static bool cpu_allowed(int cpu)
{
    cpu_set_t set;
    return cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof set, &set) == 0 && CPU_ISSET(cpu, &set);
}

static struct options parse_options(int argc, char **argv)
{
    /* buffers and stride 0: not given, derived from the ring size and the buffer size below. */
    struct options o = { .tx = false, .packets = 0, .seconds = 5, .size = 64, .buffers = 0, .stride = 0,
                         .capacity = 2048, .ring_size = 1024, .burst = 32, .guest_cpu = 0, .device_cpu = 1 };
    static const struct option long_options[] = {
        { "direction", required_argument, NULL, 'd' }, { "packets", required_argument, NULL, 'n' },
        { "seconds", required_argument, NULL, 's' },   { "size", required_argument, NULL, 'p' },
        { "buffers", required_argument, NULL, 'b' },   { "stride", required_argument, NULL, 't' },
        { "buffer-size", required_argument, NULL, 'c' }, { "ring-size", required_argument, NULL, 'r' },
        { "burst", required_argument, NULL, 'u' },     { "cpus", required_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    bool timed = false;
    int option;
    while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (option) {
        case 'd':
            if (strcmp(optarg, "rx") != 0 && strcmp(optarg, "tx") != 0)
                usage_error("--direction takes rx or tx");
            o.tx = strcmp(optarg, "tx") == 0;
            break;
        case 'n': o.packets = parse_number(optarg, "packets", 1, UINT64_MAX - 1); break;
        case 's': {
            char *end;
            o.seconds = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(o.seconds > 0 && o.seconds <= 86400))
                usage_error("--seconds takes a number above 0, at most 86400");
            timed = true;
            break;
        }
        case 'p': o.size = (uint32_t)parse_number(optarg, "size", SEQUENCE_BYTES, 1u << 20); break;
        case 'b': o.buffers = (uint32_t)parse_number(optarg, "buffers", 1, 1u << 20); break;
        case 't': o.stride = (uint32_t)parse_number(optarg, "stride", 64, 1u << 20); break;
        case 'c': o.capacity = (uint32_t)parse_number(optarg, "buffer-size", SEQUENCE_BYTES, 1u << 20); break;
        case 'r': o.ring_size = (uint32_t)parse_number(optarg, "ring-size", 1, 1u << 24); break;
        case 'u': o.burst = (uint32_t)parse_number(optarg, "burst", 1, MAX_BURST); break;
        case 'a':
            if (sscanf(optarg, "%d,%d", &o.guest_cpu, &o.device_cpu) != 2 || o.guest_cpu < 0 || o.device_cpu < 0)
                usage_error("--cpus takes two core numbers, like 0,1");
            break;
        default: usage_error("unknown option");
        }
    }
    if (optind != argc)
        usage_error("unexpected argument");
    if (timed && o.packets != 0)
        usage_error("give --packets or --seconds, not both");
    if ((o.ring_size & (o.ring_size - 1)) != 0)
        usage_error("--ring-size must be a power of two");
    if (o.buffers == 0)
        o.buffers = o.ring_size * 4 > 1u << 20 ? 1u << 20 : o.ring_size * 4;
    if (o.stride == 0)
        o.stride = (o.capacity + 63) / 64 * 64;
    if (o.stride % 64 != 0)
        usage_error("--stride must be a multiple of 64 (an offset's bit 0 carries the generation)");
    if (o.capacity > o.stride)
        usage_error("--buffer-size may not exceed --stride");
    if (o.size > o.capacity)
        usage_error("--size may not exceed --buffer-size");
    if (o.burst > o.buffers)
        usage_error("--burst may not exceed --buffers");
    if (!cpu_allowed(o.guest_cpu) || !cpu_allowed(o.device_cpu))
        usage_error("--cpus names a core this process may not run on");
    return o;
}

/* ---- The pool ----------------------------------------------------------------------------------------------- */

struct pool {
    uint8_t *base;
    uint64_t length;       /* buffers * stride */
    uint32_t capacity;
    unsigned stride_shift; /* stride = odd << stride_shift */
    uint64_t odd_inverse;  /* odd * odd_inverse == 1 (mod 2^64) */
    uint64_t odd_limit;    /* UINT64_MAX / odd */
};

static struct pool pool_of(uint8_t *base, const struct options *o)
{
    struct pool pool = { .base = base, .length = (uint64_t)o->buffers * o->stride, .capacity = o->capacity };
    pool.stride_shift = (unsigned)__builtin_ctz(o->stride);
    uint64_t odd = o->stride >> pool.stride_shift;
    /* Newton's iteration for the inverse modulo 2^64: odd * odd == 1 (mod 8) gives 3 correct bits, each step
     * doubles them, five steps give 96. */
    uint64_t inverse = odd;
    for (int i = 0; i < 5; i++)
        inverse *= 2 - odd * inverse;
    pool.odd_inverse = inverse;
    pool.odd_limit = UINT64_MAX / odd;
    return pool;
}

/* Whether offset names the start of a buffer: below the pool's end and a multiple of the stride. The stride is
 * a run-time option (2112 = 33 << 6 by default), so this tests divisibility without a division: x is a multiple
 * of an odd d exactly when x * d^-1 (mod 2^64) <= UINT64_MAX / d, because multiplying by d^-1 maps the multiples
 * of d one to one onto [0, UINT64_MAX / d] (Granlund and Montgomery; Hacker's Delight, 10-17). */
static inline bool is_buffer_start(const struct pool *pool, uint64_t offset)
{
    return offset < pool->length && (offset & ((UINT64_C(1) << pool->stride_shift) - 1)) == 0
           && (offset >> pool->stride_shift) * pool->odd_inverse <= pool->odd_limit;
}

/* ---- The rings ---------------------------------------------------------------------------------------------- */

/* A ring of 8-byte entries (fill, tx completion) as one side sees it. */
struct entry_ring {
    _Atomic uint64_t *slot;
    uint64_t mask;
    unsigned log2_size;
};

/* A ring of 16-byte descriptors (rx completion, tx). */
struct descriptor_ring {
    struct descriptor *slot;
    uint64_t mask;
    unsigned log2_size;
};

/* A descriptor's copy, taken once. */
struct packet {
    uint64_t offset;
    uint32_t length;
};

/* The generation an entry at free-running position p carries: 1 on lap 0, 0 on lap 1, ... */
static inline uint64_t generation_of(uint64_t position, unsigned log2_size)
{
    return ((position >> log2_size) & 1) ^ 1;
}

/* Writes offsets[0..n) at positions [position, position + n), n >= 1, and publishes them all with one release:
 * the first entry is written last.
 * R1 (release), on the first entry: the burst's other entries, and everything this side did with the buffers
 * before handing them over (the device's packet copies, the guest's reads), happen before it. Pairs with A1 in
 * read_entries. The other entries can be relaxed: the reader takes entries in order and stops at the first one
 * not ready, so it reaches them only after A1 on the first. */
static void write_entries(const struct entry_ring *ring, uint64_t position, const uint64_t *offsets, unsigned n)
{
    for (unsigned k = 1; k < n; k++)
        atomic_store_explicit(&ring->slot[(position + k) & ring->mask],
                              offsets[k] | generation_of(position + k, ring->log2_size), memory_order_relaxed);
    atomic_store_explicit(&ring->slot[position & ring->mask], offsets[0] | generation_of(position, ring->log2_size),
                          memory_order_release);
}

/* Takes up to max ready entries from *position on, advances *position past them and returns how many; their
 * offsets (generation bit cleared) are in offsets[], not yet validated.
 * A1 (acquire), on every entry: pairs with R1 of the burst the entry belongs to, so the buffer's contents (rx)
 * and the peer's last use of it (tx) are visible before this side touches the buffer. On x86 a plain load. */
static unsigned read_entries(const struct entry_ring *ring, uint64_t *position, uint64_t *offsets, unsigned max)
{
    uint64_t p = *position;
    unsigned n = 0;
    for (; n < max; n++, p++) {
        uint64_t entry = atomic_load_explicit(&ring->slot[p & ring->mask], memory_order_acquire);
        if ((entry & ENTRY_GENERATION) != generation_of(p, ring->log2_size))
            break;
        offsets[n] = entry & ~ENTRY_GENERATION;
    }
    *position = p;
    return n;
}

/* Writes one descriptor per offset, all of the same length, at [position, position + n), n >= 1, and publishes
 * them with one release: the first descriptor's word is written last.
 * R2 (release), on the first descriptor's word: the burst's offsets, its other words and the packets' bytes
 * happen before it. Pairs with A2 in read_descriptors. The rest is relaxed for the reason given at R1. */
static void write_descriptors(const struct descriptor_ring *ring, uint64_t position, const uint64_t *offsets,
                              uint32_t length, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        struct descriptor *d = &ring->slot[(position + k) & ring->mask];
        atomic_store_explicit(&d->offset, offsets[k], memory_order_relaxed);
        if (k == 0)
            continue;
        uint64_t flags = FLAG_END_OF_PACKET | (generation_of(position + k, ring->log2_size) ? FLAG_GENERATION : 0);
        atomic_store_explicit(&d->word, length | flags << FLAGS_SHIFT, memory_order_relaxed);
    }
    uint64_t flags = FLAG_END_OF_PACKET | (generation_of(position, ring->log2_size) ? FLAG_GENERATION : 0);
    atomic_store_explicit(&ring->slot[position & ring->mask].word, length | flags << FLAGS_SHIFT,
                          memory_order_release);
}

/* Takes up to max ready descriptors from *position on, advances *position past them and returns how many; their
 * copies are in out[], not yet validated.
 * A2 (acquire), on each descriptor's word: pairs with R2 of its burst. Only then is the offset read (relaxed: A2
 * already orders it after the word, and the writer stored it before R2), and the packet's bytes after that. */
static unsigned read_descriptors(const struct descriptor_ring *ring, uint64_t *position, struct packet *out,
                                 unsigned max)
{
    uint64_t p = *position;
    unsigned n = 0;
    for (; n < max; n++, p++) {
        struct descriptor *d = &ring->slot[p & ring->mask];
        uint64_t word = atomic_load_explicit(&d->word, memory_order_acquire);
        uint64_t generation = (word >> FLAGS_SHIFT) & FLAG_GENERATION ? 1 : 0;
        if (generation != generation_of(p, ring->log2_size))
            break;
        out[n].offset = atomic_load_explicit(&d->offset, memory_order_relaxed);
        out[n].length = (uint32_t)word;
    }
    *position = p;
    return n;
}

/* Whether a descriptor's copy names a whole buffer and a packet long enough to carry a sequence number. */
static inline bool is_valid(const struct pool *pool, struct packet p)
{
    return is_buffer_start(pool, p.offset) && p.length <= pool->capacity && p.length >= SEQUENCE_BYTES;
}

/* ---- The guest's free buffers -------------------------------------------------------------------------------- */

/* Free buffers, first in, first out (Ring's BufferFifo): a buffer given back waits behind every other free one
 * before it is used again. The guest's own, no ordering needed. */
struct fifo {
    uint64_t *offsets; /* a power of two at least NB long */
    uint32_t mask;
    uint32_t head;     /* free-running: the front is offsets[head & mask] */
    uint32_t count;
};

/* An empty FIFO for up to capacity buffers; exits when out of memory. */
static struct fifo fifo_new(uint32_t capacity)
{
    uint32_t size = 1;
    while (size < capacity)
        size <<= 1;
    struct fifo f = { .offsets = malloc(size * sizeof(uint64_t)), .mask = size - 1, .head = 0, .count = 0 };
    if (f.offsets == NULL) {
        perror("cring: malloc");
        exit(1);
    }
    return f;
}

/* Adds offset at the back; the FIFO must have room (the guest counts its buffers, so it never runs over). */
static inline void fifo_push(struct fifo *f, uint64_t offset)
{
    f->offsets[(f->head + f->count) & f->mask] = offset;
    f->count++;
}

/* Takes the front buffer; the FIFO must not be empty. */
static inline uint64_t fifo_pop(struct fifo *f)
{
    uint64_t offset = f->offsets[f->head++ & f->mask];
    f->count--;
    return offset;
}

/* ---- Running ------------------------------------------------------------------------------------------------ */

/* One side's view of the region and the run. */
struct side {
    const struct options *options;
    struct control *control;
    struct pool pool;
    struct entry_ring entries;         /* rx: the fill ring; tx: the tx-completion ring */
    struct descriptor_ring descriptors; /* rx: the completion ring; tx: the tx ring */
    pid_t child;                       /* the device's pid, in the guest; 0 in the device */
    bool child_done;
};

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        fprintf(stderr, "cring: cannot pin to core %d: %s\n", cpu, strerror(errno));
        exit(1);
    }
}

/* Called by the guest when it found nothing to do. Every 2^20 idle turns it looks whether the device died (a
 * device that finished cleanly is fine: what it published is still on the ring), so the guest cannot spin
 * forever on a dead peer. The device needs no such check: it dies with the guest (PR_SET_PDEATHSIG). */
static void check_peer(struct side *s, uint64_t *idle)
{
    if (s->child == 0 || s->child_done || (++*idle & ((1u << 20) - 1)) != 0)
        return;
    int status;
    if (waitpid(s->child, &status, WNOHANG) != s->child)
        return;
    s->child_done = true;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "cring: the device process died (status %d)\n", status);
        exit(1);
    }
}

/* Pins this side, then waits at the start line until the other side is pinned too; returns the start time. */
static uint64_t start(struct side *s, int cpu)
{
    uint64_t idle = 0;
    pin(cpu);
    atomic_fetch_add_explicit(&s->control->started, 1, memory_order_relaxed);
    while (atomic_load_explicit(&s->control->started, memory_order_relaxed) < 2)
        check_peer(s, &idle);
    return now_ns();
}

/* Whether a sender is finished: sent all its packets, or its time is up (looked at every 64 turns). */
static bool sender_done(const struct side *s, uint64_t sent, uint64_t turn, uint64_t deadline_ns)
{
    if (s->options->packets != 0)
        return sent == s->options->packets;
    return (turn & 63) == 0 && now_ns() >= deadline_ns;
}

/* Ends a sender's run: a timed sender says how many it sent, so the receiver knows when it has them all.
 * Relaxed: this is a count, not a publication; every packet was published through its own entry. */
static void sender_finish(const struct side *s, struct side_result *result, uint64_t sent)
{
    if (s->options->packets == 0)
        atomic_store_explicit(&s->control->total, sent, memory_order_relaxed);
    result->sent = sent;
}

/* Whether a receiver that found its ring empty has every packet the sender sent. */
static bool receiver_done(const struct side *s, uint64_t received)
{
    return received == atomic_load_explicit(&s->control->total, memory_order_relaxed);
}

/* rx, device: takes free buffers from the fill ring, writes a packet into each (the sequence number in its first
 * 8 bytes, the whole packet copied), completes them on the completion ring; one publication per burst. */
static void device_rx(struct side *s, uint8_t *packet)
{
    const struct options *o = s->options;
    struct side_result *result = &s->control->device;
    uint64_t next_to_take = 0;     /* fill ring: owner-only, no ordering needed */
    uint64_t next_to_complete = 0; /* completion ring: owner-only */
    uint64_t sent = 0, bad = 0;
    uint64_t offsets[MAX_BURST];
    uint64_t deadline = start(s, o->device_cpu) + (uint64_t)(o->seconds * 1e9);
    for (uint64_t turn = 0; !sender_done(s, sent, turn, deadline); turn++) {
        unsigned want = o->packets != 0 && o->packets - sent < o->burst ? (unsigned)(o->packets - sent) : o->burst;
        unsigned n = read_entries(&s->entries, &next_to_take, offsets, want);
        unsigned kept = 0;
        for (unsigned k = 0; k < n; k++) {
            uint64_t offset = offsets[k];
            if (!is_buffer_start(&s->pool, offset)) {
                bad++;
                continue;
            }
            memcpy(packet, &sent, SEQUENCE_BYTES);
            memcpy(s->pool.base + offset, packet, o->size);
            sent++;
            offsets[kept++] = offset;
        }
        if (kept == 0)
            continue;
        write_descriptors(&s->descriptors, next_to_complete, offsets, o->size, kept);
        next_to_complete += kept;
    }
    sender_finish(s, result, sent);
    result->bad = bad;
}

/* rx, guest: posts free buffers, oldest first, on the fill ring while fewer than RS are with the device (the bound
 * that keeps the fill ring from overflowing: see Design), at most MAX_BURST per publication. */
static void post_free(struct side *s, struct fifo *free_buffers, uint64_t *next_to_fill, uint64_t *posted)
{
    uint64_t offsets[MAX_BURST];
    for (;;) {
        uint64_t room = s->options->ring_size - *posted;
        unsigned n = free_buffers->count < MAX_BURST ? free_buffers->count : MAX_BURST;
        if (room < n)
            n = (unsigned)room;
        if (n == 0)
            return;
        for (unsigned k = 0; k < n; k++)
            offsets[k] = fifo_pop(free_buffers);
        write_entries(&s->entries, *next_to_fill, offsets, n);
        *next_to_fill += n;
        *posted += n;
    }
}

/* rx, guest: takes completed packets, validates each copy, checks its sequence number, puts the buffers at the back
 * of the free list and posts free ones from its front (post_free), one publication per burst. posted buffers, at
 * positions [0, posted) of the fill ring, were posted before the fork. */
static void guest_rx(struct side *s, struct fifo *free_buffers, uint64_t posted)
{
    const struct options *o = s->options;
    struct side_result *result = &s->control->guest;
    uint64_t next_to_read = 0;       /* completion ring: owner-only */
    uint64_t next_to_fill = posted;  /* fill ring: owner-only */
    uint64_t expected = 0, received = 0, bad = 0, idle = 0;
    struct packet burst[MAX_BURST];
    uint64_t started = start(s, o->guest_cpu);
    for (;;) {
        unsigned n = read_descriptors(&s->descriptors, &next_to_read, burst, o->burst);
        if (n == 0) {
            if (receiver_done(s, received))
                break;
            check_peer(s, &idle);
            continue;
        }
        for (unsigned k = 0; k < n; k++) {
            struct packet p = burst[k]; /* the copy: from here on only p is used, never the slot */
            if (!is_valid(&s->pool, p) || free_buffers->count == o->buffers) {
                bad++;
                continue;
            }
            uint64_t sequence;
            memcpy(&sequence, s->pool.base + p.offset, SEQUENCE_BYTES);
            bad += sequence != expected;
            expected++;
            fifo_push(free_buffers, p.offset);
        }
        received += n;
        posted -= n; /* every answer read, good or bad, answers one fill entry: its slot may be written again */
        post_free(s, free_buffers, &next_to_fill, &posted);
    }
    result->nanoseconds = now_ns() - started;
    result->received = received;
    result->bad = bad;
}

/* tx, guest: takes back the buffers the device has sent (tx completion ring) to the back of its free list, then
 * sends a burst from the front of it on the tx ring, the sequence number in each packet's first 8 bytes, one
 * publication per burst, while fewer than RS are in flight (the bound that keeps the tx ring from overflowing). */
static void guest_tx(struct side *s, struct fifo *free_buffers, uint8_t *packet)
{
    const struct options *o = s->options;
    struct side_result *result = &s->control->guest;
    uint64_t next_to_send = 0; /* tx ring: owner-only */
    uint64_t next_to_reap = 0; /* tx completion ring: owner-only */
    uint64_t in_flight = 0;    /* sent, answer not read yet: at most RS */
    uint64_t sent = 0, bad = 0, idle = 0;
    uint64_t offsets[MAX_BURST];
    uint64_t deadline = start(s, o->guest_cpu) + (uint64_t)(o->seconds * 1e9);
    for (uint64_t turn = 0; !sender_done(s, sent, turn, deadline); turn++) {
        unsigned reaped = read_entries(&s->entries, &next_to_reap, offsets, o->burst);
        in_flight -= reaped; /* every answer read, good or bad, answers one tx entry */
        for (unsigned k = 0; k < reaped; k++) {
            if (!is_buffer_start(&s->pool, offsets[k]) || free_buffers->count == o->buffers) {
                bad++;
                continue;
            }
            fifo_push(free_buffers, offsets[k]);
        }
        unsigned n = free_buffers->count < o->burst ? free_buffers->count : o->burst;
        if (o->ring_size - in_flight < n)
            n = (unsigned)(o->ring_size - in_flight);
        if (o->packets != 0 && o->packets - sent < n)
            n = (unsigned)(o->packets - sent);
        if (n == 0) {
            check_peer(s, &idle);
            continue;
        }
        for (unsigned k = 0; k < n; k++) {
            uint64_t offset = fifo_pop(free_buffers);
            memcpy(packet, &sent, SEQUENCE_BYTES);
            memcpy(s->pool.base + offset, packet, o->size);
            sent++;
            offsets[k] = offset;
        }
        write_descriptors(&s->descriptors, next_to_send, offsets, o->size, n);
        next_to_send += n;
        in_flight += n;
    }
    sender_finish(s, result, sent);
    result->bad = bad;
}

/* tx, device: takes sent packets from the tx ring, validates each copy, checks its sequence number, and returns
 * the buffers on the tx completion ring, one publication per burst. */
static void device_tx(struct side *s)
{
    const struct options *o = s->options;
    struct side_result *result = &s->control->device;
    uint64_t next_to_read = 0;     /* tx ring: owner-only */
    uint64_t next_to_complete = 0; /* tx completion ring: owner-only */
    uint64_t expected = 0, received = 0, bad = 0;
    struct packet burst[MAX_BURST];
    uint64_t done[MAX_BURST];
    uint64_t started = start(s, o->device_cpu);
    for (;;) {
        unsigned n = read_descriptors(&s->descriptors, &next_to_read, burst, o->burst);
        if (n == 0) {
            if (receiver_done(s, received))
                break;
            continue;
        }
        unsigned kept = 0;
        for (unsigned k = 0; k < n; k++) {
            struct packet p = burst[k]; /* the copy: from here on only p is used, never the slot */
            if (!is_valid(&s->pool, p)) {
                bad++;
                continue;
            }
            uint64_t sequence;
            memcpy(&sequence, s->pool.base + p.offset, SEQUENCE_BYTES);
            bad += sequence != expected;
            expected++;
            done[kept++] = p.offset;
        }
        received += n;
        if (kept == 0)
            continue;
        write_entries(&s->entries, next_to_complete, done, kept);
        next_to_complete += kept;
    }
    result->nanoseconds = now_ns() - started;
    result->received = received;
    result->bad = bad;
}

static size_t round_up(size_t value, size_t to)
{
    return (value + to - 1) / to * to;
}

int main(int argc, char **argv)
{
    struct options o = parse_options(argc, argv);

    /* One mapping: control block, entry ring, descriptor ring, pool, each starting on a page. Pre-faulted
     * (MAP_POPULATE) so neither side takes page faults inside the measurement; zeroed, so every entry reads
     * "not ready" on lap 0. */
    size_t page = 4096;
    size_t entries_at = round_up(sizeof(struct control), page);
    size_t descriptors_at = entries_at + round_up((size_t)o.ring_size * sizeof(uint64_t), page);
    size_t pool_at = descriptors_at + round_up((size_t)o.ring_size * sizeof(struct descriptor), page);
    size_t length = pool_at + round_up((size_t)o.buffers * o.stride, page);
    uint8_t *region = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (region == MAP_FAILED) {
        perror("cring: mmap");
        return 1;
    }
    unsigned log2_size = (unsigned)__builtin_ctz(o.ring_size);
    struct side side = {
        .options = &o,
        .control = (struct control *)region,
        .pool = pool_of(region + pool_at, &o),
        .entries = { (_Atomic uint64_t *)(region + entries_at), o.ring_size - 1u, log2_size },
        .descriptors = { (struct descriptor *)(region + descriptors_at), o.ring_size - 1u, log2_size },
    };
    atomic_init(&side.control->total, o.packets != 0 ? o.packets : UINT64_MAX);
    uint8_t *packet = malloc(o.capacity);
    if (packet == NULL) {
        perror("cring: malloc");
        return 1;
    }
    memset(packet, 0xab, o.capacity);
    struct fifo free_buffers = fifo_new(o.buffers);
    for (uint32_t i = 0; i < o.buffers; i++)
        fifo_push(&free_buffers, (uint64_t)i * o.stride);
    uint64_t posted = 0;
    if (!o.tx) {
        /* The guest posts a ring's worth (or every buffer, if fewer) on the fill ring before the fork, which orders
         * these plain stores before everything the device does. */
        for (; posted < o.ring_size && free_buffers.count != 0; posted++)
            atomic_init(&side.entries.slot[posted], fifo_pop(&free_buffers) | generation_of(posted, log2_size));
    }

    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        perror("cring: fork");
        return 1;
    }
    if (child == 0) {
        /* The device dies with the guest, so it cannot spin on a dead peer. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(1);
        if (o.tx)
            device_tx(&side);
        else
            device_rx(&side, packet);
        _exit(0);
    }
    side.child = child;
    if (o.tx)
        guest_tx(&side, &free_buffers, packet);
    else
        guest_rx(&side, &free_buffers, posted);
    int status = 0;
    if (!side.child_done && waitpid(child, &status, 0) != child) {
        perror("cring: waitpid");
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "cring: the device process failed (status %d)\n", status);
        return 1;
    }

    const struct side_result *sender = o.tx ? &side.control->guest : &side.control->device;
    const struct side_result *receiver = o.tx ? &side.control->device : &side.control->guest;
    double seconds = receiver->nanoseconds / 1e9;
    uint64_t bad = sender->bad + receiver->bad;
    printf("cring dir=%s pkt=%u nb=%u stride=%u rs=%u burst=%u packets=%llu seconds=%.3f Mpps=%.2f Gbps=%.2f "
           "bad=%llu\n",
           o.tx ? "tx" : "rx", o.size, o.buffers, o.stride, o.ring_size, o.burst,
           (unsigned long long)receiver->received, seconds, receiver->received / seconds / 1e6,
           receiver->received * o.size * 8 / seconds / 1e9, (unsigned long long)bad);
    bool clean = bad == 0 && receiver->received == sender->sent;
    free(packet);
    free(free_buffers.offsets);
    munmap(region, length);
    return clean ? 0 : 1;
}
