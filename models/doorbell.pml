/*
 * The doorbell protocol of docs/DOORBELL.md, under x86-TSO, checked by spin.
 *
 * One waker (the producer) publishes K items by advancing a producer index and rings per DOORBELL.md W1..W5; one
 * sleeper (the consumer) consumes them and, when it sees none, sleeps per S1..S6. The futex wait has NO timeout
 * here: a timeout would mask a lost wake-up (the sleeper would just wake late), and the property is that the
 * protocol alone wakes the sleeper.
 *
 * Weak memory (x86-TSO, the abstract machine of Owens, Sarkar and Sewell): each process has a FIFO store buffer of
 * SBSIZE entries (address, value). A plain store (including a store-release: on x86 it is a plain mov) enters the
 * buffer; a separate Flusher process per buffer writes the oldest entry to shared memory at any moment, so the
 * flush is nondeterministic. A load reads the newest entry for its address in its own buffer (store forwarding),
 * otherwise shared memory: this is exactly "a load may pass an earlier store to a different address", the one
 * reordering TSO allows. A full fence (S3, W2) blocks until its buffer is empty; a locked read-modify-write (W4's
 * atomic increment) drains the buffer first and acts on memory at once, as LOCK-prefixed instructions do.
 * A store to a full buffer waits for a flush. In the correct protocol that never happens with SBSIZE 2 (a fence
 * comes before the producer's second store and the consumer's third; checked by turning the wait into an
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
 *   NO_FUTEX_BARRIER  the futex wait has no barrier of its own (the correct protocol must still pass)
 *   SC                the control: stores go straight to memory (sequential consistency, no store buffers).
 *                     Without both fences the protocol then passes, while NO_RECHECK still fails: the fence
 *                     variants fail under TSO because of the store buffers, as DOORBELL.md says.
 *   LIVENESS          check the LTL property <> (consumed == K) instead of the safety properties (see below)
 *
 * Properties (safety run: pan compiled with -DSAFETY):
 *   - no deadlock: spin's invalid-end-state check. The consumer's futex wait and init's wait for both processes
 *     carry no end label, so a run where nothing can move before both finished is an error;
 *   - no lost wake-up, named as such: when nothing can move (Promela's `timeout`), init first asserts that the
 *     consumer is not asleep in futex_wait with items published in memory and the producer finished;
 *   - at termination consumed == K and the producer index in memory is K;
 *   - the consumer never consumes an item before it was published.
 * Liveness run (-DLIVENESS, pan without -DSAFETY, ./pan -a): the LTL property <> (consumed == K), every run
 * consumes all K items; init has no `timeout` check then, so a lost wake-up shows as an acceptance cycle (spin
 * extends a run that stops by stuttering its last state). No fairness is needed: every run of the model is finite.
 */

#ifndef K
#define K 3            /* items the producer publishes */
#endif
#ifndef SBSIZE
#define SBSIZE 2       /* entries per store buffer */
#endif

/* shared memory: addresses */
#define PROD 0         /* the producer index (W1 publishes it, the consumer polls it) */
#define NEEDS 1        /* needsWakeup: the sleeper's announcement (S2, S4, S6) */
#define BELL 2         /* the doorbell futex word (W4) */
#define NADDR 3

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
byte consumed;         /* items the consumer consumed (its private consumer index) */
byte published;        /* ghost: items the producer has stored (in program order), visible or not */
bool pdone, cdone;

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
	byte k, i, nw;
	for (i : 1 .. K) {
		published = i;
W1:		store(P, PROD, i);                    /* store-release(producer index) */
#ifndef NO_WAKER_FENCE
W2:		fence(P);
#endif
W3:		load(P, NEEDS, nw);
		if
		:: nw == 1 ->
W4:			atomic { fence(P); mem[BELL]++ }  /* lock xadd: drains the buffer, then acts on memory */
W5:			atomic {                          /* futex_wake(&doorbell, 1) */
				if
				:: asleep -> asleep = false
				:: else -> skip
				fi
			}
		:: else -> skip
		fi
	}
	pdone = true
}

proctype Consumer() {
	byte k, idx, seen;
	do
	:: consumed == K -> break
	:: else ->
		load(C, PROD, idx);                   /* poll: acquire load of the producer index */
		if
		:: idx > consumed ->
			assert(consumed < published);     /* never an item before it was published */
			consumed++
		:: else ->
S1:			load(C, BELL, seen);
S2:			store(C, NEEDS, 1);
#ifndef NO_SLEEPER_FENCE
S3:			fence(C);
#endif
#ifndef NO_RECHECK
S4:			load(C, PROD, idx);
			if
			:: idx > consumed ->
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
	pdone && cdone;                           /* a deadlock is a run that stutters without consuming all K */
#else
	if
	:: pdone && cdone -> skip
	:: timeout ->                             /* nothing can move any more: say why */
		/* no lost wake-up: the consumer is not asleep on published items after the producer finished */
		assert(!(asleep && pdone && mem[PROD] > consumed));
		pdone && cdone                        /* any other deadlock stays blocked: an invalid end state */
	fi;
#endif
	assert(consumed == K && mem[PROD] == K)
}

#ifdef LIVENESS
ltl all_consumed { <> (consumed == K) }
#endif
