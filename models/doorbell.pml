/*
 * The doorbell protocol of docs/DOORBELL.md, under x86-TSO, checked by spin.
 *
 * One waker (the producer) publishes K items on each of TWO rings (per item: ring 0, then ring 1, each a separate
 * publish followed by its own W2..W5, as the device publishes RX and TX completions and the guest fill and TX
 * entries); one sleeper (the consumer) consumes from both rings and, when it sees none on either, sleeps per
 * S1..S6, its re-check (S4) reading both rings.
 *
 * The rings are layout v2's (docs/LAYOUT.md): no indices, RS slots each, and every entry carries a generation bit,
 * 1 on the first lap and flipped at every wrap. The producer publishes item i (from 1) of ring r by storing the
 * generation of entry n = i - 1 into slot n % RS (W1, a store-release); the consumer polls the slot of its next
 * entry and finds it ready when the slot holds that entry's generation. K > RS, so the rings wrap and the
 * generation flips. The producer never overruns the consumer because it knows its room from buffers coming back:
 * modelled as the consumer storing its count of consumed entries (CREDIT r, through its store buffer, as it
 * writes fill or TX-completion entries) and the producer blocking until item i's slot was consumed, i.e.
 * CREDIT r + RS >= i. (The producer does not sleep on a doorbell for credits here: the direction modelled is one
 * waker and one sleeper, as before.) With two publishes per item the waker often finds the same
 * announcement twice in a row, so its skip of a tag it already rang (W3) is exercised (-DASSERT_NO_SKIP proves it
 * is reached). The futex wait has NO timeout here: a timeout would mask a lost wake-up (the sleeper would just wake
 * late), and the property is that the protocol alone wakes the sleeper.
 *
 * The announcement is a tag of the sleep, (seen << 1) | 1 with seen the doorbell value read at S1, never 0; the
 * waker remembers the tag it rang last (lastRung) and skips an announcement equal to it. The tag cannot wrap in the
 * model: only W4 changes the doorbell, by one, at most once per publish, so it stays <= 2K and the tag <= 4K + 1
 * fits a byte (asserted at S1: seen < 128). In the code the word is 32 bits and tags repeat only mod 2^31
 * doorbell values; the model's unbounded-range tags stand for that, and -DCONSTANT_TAG shows what repeating tags do.
 *
 * Weak memory (x86-TSO, the abstract machine of Owens, Sarkar and Sewell): each process has a FIFO store buffer of
 * SBSIZE entries (address, value). A plain store (including a store-release: on x86 it is a plain mov) enters the
 * buffer; a separate Flusher process per buffer writes the oldest entry to shared memory at any moment, so the
 * flush is nondeterministic. A load reads the newest entry for its address in its own buffer (store forwarding),
 * otherwise shared memory: this is exactly "a load may pass an earlier store to a different address", the one
 * reordering TSO allows. A full fence (S3, W2) blocks until its buffer is empty; a locked read-modify-write (W4's
 * atomic increment) drains the buffer first and acts on memory at once, as LOCK-prefixed instructions do.
 * A store to a full buffer waits for a flush. In the correct protocol that never happens with SBSIZE 2 (a fence
 * comes after each of the producer's stores and before the consumer's third; checked by turning the wait into an
 * assertion), so its verification holds for unbounded TSO buffers; the broken variants fail with any SBSIZE >= 1.
 *
 * futex_wait(&doorbell, seen) is atomic (the kernel holds the hash-bucket lock): if doorbell == seen the sleeper is
 * queued and blocks until a futex_wake dequeues it, else it returns at once. The kernel's own full barrier on the
 * way in (smp_mb in futex_wait) is modelled too, unless -DNO_FUTEX_BARRIER: the correct protocol must not need it.
 * futex_wake wakes the queued sleeper, if any. No spurious wake-ups (they too would mask a lost wake-up).
 *
 * Variants (spin -a -D...):
 *   NO_RECHECK        remove S4, the re-check after announcing
 *   NO_SLEEPER_FENCE  remove S3, the sleeper's fence between S2 and S4
 *   NO_WAKER_FENCE    remove W2, the waker's fence between W1 and W3
 *   CONSTANT_TAG      S2 announces the constant 1 (the old protocol) while W3 still skips a tag it rang: the
 *                     sleeper's next sleep repeats the tag and is skipped though nobody rang it (must fail)
 *   NO_SKIP           W3 never skips (rings every announcement, the old waker); with CONSTANT_TAG this is the old
 *                     protocol, the control for CONSTANT_TAG: it passes, so what fails there is the skip
 *                     together with a repeating tag
 *   ASSERT_NO_SKIP    the correct protocol plus an assertion that W3 never skips: it must fail, which proves the
 *                     skip branch is reachable (so the passing runs verify it, not a dead branch)
 *   NO_FUTEX_BARRIER  the futex wait has no barrier of its own (the correct protocol must still pass)
 *   SC                the control: stores go straight to memory (sequential consistency, no store buffers).
 *                     Without both fences the protocol then passes, while NO_RECHECK still fails: the fence
 *                     variants fail under TSO because of the store buffers, as DOORBELL.md says.
 *   CONSTANT_GENERATION  the producer writes generation 1 on every lap: a slot from the previous lap reads ready,
 *                     so the consumer takes an entry before it was published (must fail: the generation matters)
 *   LIVENESS          check the LTL property <> all consumed instead of the safety properties (see below)
 *
 * Properties (safety run: pan compiled with -DSAFETY):
 *   - no deadlock: spin's invalid-end-state check. The consumer's futex wait and init's wait for both processes
 *     carry no end label, so a run where nothing can move before both finished is an error;
 *   - no lost wake-up, named as such: when nothing can move (Promela's `timeout`), init first asserts that the
 *     consumer is not asleep in futex_wait while the next entry of either ring is ready in memory;
 *   - at termination both rings are consumed (K each);
 *   - the consumer never consumes an item before it was published;
 *   - the tag does not wrap (seen < 128 at S1).
 * Liveness run (-DLIVENESS, pan without -DSAFETY, ./pan -a): the LTL property <> (consumed[0] == K &&
 * consumed[1] == K), every run consumes all items; init has no `timeout` check then, so a lost wake-up shows as an
 * acceptance cycle (spin extends a run that stops by stuttering its last state). No fairness is needed: every run
 * of the model is finite.
 */

#ifndef K
#define K 3            /* items the producer publishes on each ring */
#endif
#ifndef SBSIZE
#define SBSIZE 2       /* entries per store buffer */
#endif
#ifndef RS
#define RS 2           /* slots per ring: K > RS, so the rings wrap */
#endif

/* shared memory: addresses */
#define SLOT(r, s) ((r) * RS + (s))   /* the generation word of slot s of ring r (W1 publishes it, the consumer polls it) */
#define NEEDS (2 * RS)               /* needsWakeup: the sleeper's announcement, a tag of the sleep or 0 (S2, S4, S6) */
#define BELL (2 * RS + 1)            /* the doorbell futex word (W4) */
#define CREDIT(r) (2 * RS + 2 + (r)) /* entries of ring r the consumer has consumed, as buffers coming back */
#define NADDR (2 * RS + 4)

/* the generation of entry n (from 0): 1 on the first lap, flipped at every wrap (RingLayout) */
#ifdef CONSTANT_GENERATION
#define GEN(n) 1       /* broken on purpose: every lap writes the same generation */
#else
#define GEN(n) ((((n) / RS) % 2) ^ 1)
#endif
/* entry n of ring r is ready in memory: its slot holds its generation (the ghost check of the lost wake-up) */
#define READY(r, n) (mem[SLOT(r, (n) % RS)] == ((((n) / RS) % 2) ^ 1))

/* the announcement of a sleep against doorbell value s (DoorbellSleeper.AnnouncementTag): odd, so never 0 */
#ifdef CONSTANT_TAG
#define TAG(s) 1       /* broken on purpose: every sleep announces the same value */
#else
#define TAG(s) (((s) << 1) | 1)
#endif

/* W3 skips announcement t: the waker rang t last (unless -DNO_SKIP) */
#ifdef NO_SKIP
#define SKIPS(t) false
#else
#define SKIPS(t) ((t) == lastRung)
#endif

/* process ids of the two store buffers */
#define P 0            /* producer = waker */
#define C 1            /* consumer = sleeper */

byte mem[NADDR];       /* what every process sees once a store left its buffer */

typedef StoreBuffer {
	byte addr[SBSIZE];
	byte val[SBSIZE];
	byte n             /* entries in use; [0] is the oldest */
};
StoreBuffer sb[2];

bool asleep;           /* the consumer is queued in futex_wait (kernel state) */
byte consumed[2];      /* items the consumer consumed per ring (its private count: entry consumed[r] is next) */
byte published[2];     /* ghost: items the producer has stored per ring (in program order), visible or not */
bool pdone, cdone;
#ifdef ASSERT_NO_SKIP
bool skipped;          /* ghost: W3 skipped an announcement it had already rung */
#endif

/* a plain store: into the buffer; blocks while the buffer is full (its flusher can always run) */
#ifdef SC
inline store(who, ad, v) {
	mem[ad] = v                               /* the control: sequential consistency, no store buffer */
}
#else
inline store(who, ad, v) {
	atomic {
		sb[who].n < SBSIZE ->
		sb[who].addr[sb[who].n] = ad;
		sb[who].val[sb[who].n] = v;
		sb[who].n++
	}
}
#endif

/* a plain load into res: the newest buffered store to ad, else memory. k is the caller's scratch byte. */
inline load(who, ad, res) {
	d_step {
		res = mem[ad];
		k = 0;
		do
		:: k < sb[who].n ->
			if
			:: sb[who].addr[k] == ad -> res = sb[who].val[k]
			:: else -> skip
			fi;
			k++
		:: else -> break
		od;
		k = 0
	}
}

/* a full fence (mfence, or the barrier of a locked instruction): wait until the buffer has drained */
inline fence(who) {
	sb[who].n == 0
}

/* The memory subsystem: writes the oldest buffered store of process who to memory, at any moment. */
proctype Flusher(byte who) {
	byte k;
end:	do
	:: d_step {
		sb[who].n > 0 ->
		mem[sb[who].addr[0]] = sb[who].val[0];
		k = 1;
		do
		:: k < sb[who].n ->
			sb[who].addr[k - 1] = sb[who].addr[k];
			sb[who].val[k - 1] = sb[who].val[k];
			k++
		:: else -> break
		od;
		sb[who].n--;
		sb[who].addr[sb[who].n] = 0;
		sb[who].val[sb[who].n] = 0;
		k = 0
	}
	od
}

proctype Producer() {
	byte k, i, r, nw;
	byte lastRung;                            /* the tag of the last sleep this waker rang (Doorbell._lastRungTag) */
	for (i : 1 .. K) {
		for (r : 0 .. 1) {                    /* two separate publishes per item, each with its own W2..W5 */
			mem[CREDIT(r)] + RS >= i;         /* room: entry i - 1 - RS was consumed (its buffer came back) */
			published[r] = i;
W1:			store(P, SLOT(r, (i - 1) % RS), GEN(i - 1));  /* store-release of the entry's generation */
#ifndef NO_WAKER_FENCE
W2:			fence(P);
#endif
W3:			load(P, NEEDS, nw);
			if
			:: nw == 0 -> skip                /* no announcement: the peer is awake */
			:: nw != 0 && SKIPS(nw) ->        /* a sleep this waker already rang: it is being woken */
#ifdef ASSERT_NO_SKIP
				skipped = true;
				assert(!skipped);             /* must fail: the skip branch is reachable */
#endif
				skip
			:: nw != 0 && !SKIPS(nw) ->
				lastRung = nw;
W4:				atomic { fence(P); mem[BELL]++ }  /* lock xadd: drains the buffer, then acts on memory */
W5:				atomic {                      /* futex_wake(&doorbell, 1) */
					if
					:: asleep -> asleep = false
					:: else -> skip
					fi
				}
			fi;
			nw = 0
		}
	}
	pdone = true
}

proctype Consumer() {
	byte k, g, seen, r;
	do
	:: consumed[0] == K && consumed[1] == K -> break
	:: else ->
		/* poll: acquire load of each ring's next slot; consume one item from the first ring whose next entry is ready */
		load(C, SLOT(0, consumed[0] % RS), g);
		if
		:: consumed[0] < K && g == GEN(consumed[0]) -> r = 0
		:: else ->
			load(C, SLOT(1, consumed[1] % RS), g);
			if
			:: consumed[1] < K && g == GEN(consumed[1]) -> r = 1
			:: else -> r = 2
			fi
		fi;
		if
		:: r < 2 ->
			assert(consumed[r] < published[r]);   /* never an item before it was published */
			consumed[r]++;
			store(C, CREDIT(r), consumed[r]);     /* the buffer goes back (a fill or TX-completion entry) */
			r = 0
		:: else ->
			r = 0;
S1:			load(C, BELL, seen);
			assert(seen < 128);               /* TAG(seen) fits a byte: the tag does not wrap in the model */
S2:			store(C, NEEDS, TAG(seen));       /* announce this sleep by its tag */
#ifndef NO_SLEEPER_FENCE
S3:			fence(C);
#endif
#ifndef NO_RECHECK
S4:			load(C, SLOT(0, consumed[0] % RS), g);  /* re-check both rings' next entries */
			if
			:: consumed[0] < K && g == GEN(consumed[0]) -> r = 1
			:: else ->
				load(C, SLOT(1, consumed[1] % RS), g);
				if
				:: consumed[1] < K && g == GEN(consumed[1]) -> r = 1
				:: else -> skip
				fi
			fi;
			if
			:: r == 1 ->
				r = 0;
				store(C, NEEDS, 0);
				goto poll                     /* work after all: no sleep */
			:: else -> skip
			fi;
#endif
S5:			/* futex_wait(&doorbell, seen), no timeout */
#ifndef NO_FUTEX_BARRIER
			fence(C);                         /* the kernel's smp_mb on the way in */
#endif
			atomic {
				if
				:: mem[BELL] == seen -> asleep = true
				:: else -> skip                  /* the word changed: return at once */
				fi
			}
wait:		!asleep;                          /* blocked until futex_wake dequeues us */
S6:			store(C, NEEDS, 0)
		fi;
poll:	skip
	od;
	cdone = true
}

init {
	atomic {
		run Flusher(P);
		run Flusher(C);
		run Producer();
		run Consumer()
	}
#ifdef LIVENESS
	pdone && cdone;                           /* a deadlock is a run that stutters without consuming all items */
#else
	if
	:: pdone && cdone -> skip
	:: timeout ->                             /* nothing can move any more: say why */
		/* no lost wake-up: the consumer is not asleep on a published entry with nobody left to wake it (the
		 * producer finished, or waits for room that only the sleeping consumer can give back) */
		assert(!(asleep && ((consumed[0] < K && READY(0, consumed[0])) || (consumed[1] < K && READY(1, consumed[1])))));
		pdone && cdone                        /* any other deadlock stays blocked: an invalid end state */
	fi;
#endif
	assert(consumed[0] == K && consumed[1] == K)
}

#ifdef LIVENESS
ltl all_consumed { <> (consumed[0] == K && consumed[1] == K) }
#endif
