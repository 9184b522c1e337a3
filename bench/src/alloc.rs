//! A counting global allocator (the system allocator underneath): how many allocator calls a
//! piece of code makes, and how much heap it keeps.
//!
//! Counting is always on and costs a few plain loads and stores per call: each thread counts in
//! a slot of its own, so threads never contend for a counter. Live-heap tracking (one shared
//! atomic counter, for [`PeakTracker`]) is switched on only while a benchmark asks for it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering::Relaxed};

/// The allocator of every benchmark binary.
struct Counting;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SLOTS: usize = 256;

/// One thread's counts, alone on its cache line.
#[repr(align(64))]
struct Slot {
    calls: AtomicU64,
}

#[allow(clippy::declare_interior_mutable_const)] // the initialiser of each slot, not shared
const EMPTY: Slot = Slot {
    calls: AtomicU64::new(0),
};
static COUNTS: [Slot; SLOTS] = [EMPTY; SLOTS];
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
static TRACKING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);

thread_local! {
    static SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn slot() -> &'static Slot {
    let index = SLOT
        .try_with(|slot| {
            if slot.get() == usize::MAX {
                slot.set(NEXT_SLOT.fetch_add(1, Relaxed) % SLOTS);
            }
            slot.get()
        })
        // A thread being torn down: share the last slot.
        .unwrap_or(SLOTS - 1);
    &COUNTS[index]
}

fn count(bytes: usize) {
    let calls = &slot().calls;
    // Only this thread writes its slot: a load and a store, no locked instruction.
    calls.store(calls.load(Relaxed) + 1, Relaxed);
    if TRACKING.load(Relaxed) {
        let live = LIVE.fetch_add(bytes as i64, Relaxed) + bytes as i64;
        PEAK.fetch_max(live, Relaxed);
    }
}

fn uncount(bytes: usize) {
    if TRACKING.load(Relaxed) {
        LIVE.fetch_sub(bytes as i64, Relaxed);
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; counting allocates nothing.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        uncount(layout.size());
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        uncount(layout.size());
        count(new_size);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocator calls (`alloc`, `alloc_zeroed` and `realloc`) made so far by every thread.
pub fn calls() -> u64 {
    COUNTS.iter().map(|s| s.calls.load(Relaxed)).sum()
}

/// Tracks the heap's growth while it lives: how far the live heap rose above where it stood at
/// the start, at its highest and now. One tracker at a time.
#[derive(Debug)]
pub struct PeakTracker(());

impl PeakTracker {
    /// Starts tracking from the current heap.
    pub fn start() -> Self {
        LIVE.store(0, Relaxed);
        PEAK.store(0, Relaxed);
        TRACKING.store(true, Relaxed);
        Self(())
    }

    /// Bytes allocated since the start and not freed (frees of older blocks count against it).
    pub fn live(&self) -> i64 {
        LIVE.load(Relaxed)
    }

    /// The highest [`Self::live`] seen so far.
    pub fn peak(&self) -> i64 {
        PEAK.load(Relaxed)
    }
}

impl Drop for PeakTracker {
    fn drop(&mut self) {
        TRACKING.store(false, Relaxed);
    }
}
