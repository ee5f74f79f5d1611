//! After the first step, a step allocates nothing: the state buffers are
//! sized once. A counting global allocator checks this for each optimizer.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use adjoint_optim::{Adagrad, Adam, AdamW, Optimizer, RmsProp, Sgd, clip_grad_norm};

thread_local! {
    /// Allocations made by this thread; other test threads count their own.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct CountingAllocator;

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a const-initialised thread-local, which itself never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: the caller upholds GlobalAlloc::alloc's contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: the caller upholds GlobalAlloc::realloc's contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn steps_after_first_allocate_nothing() {
    let optimizers: Vec<(&str, Box<dyn Optimizer>)> = vec![
        ("sgd", Box::new(Sgd::new(0.1).momentum(0.9).nesterov(true))),
        ("adam", Box::new(Adam::new(0.1).amsgrad(true))),
        ("adamw", Box::new(AdamW::new(0.1).amsgrad(true))),
        (
            "rmsprop",
            Box::new(RmsProp::new(0.1).momentum(0.9).centered(true)),
        ),
        ("adagrad", Box::new(Adagrad::new(0.1))),
    ];
    for (name, mut optimizer) in optimizers {
        let mut params = vec![1.0; 1000];
        let mut grads = vec![0.5; 1000];
        optimizer.step(&mut params, &grads);

        let before = allocations();
        for _ in 0..10 {
            clip_grad_norm(&mut grads, 1.0);
            optimizer.step(&mut params, &grads);
        }
        // A reset keeps the buffers' capacity, so refilling them is free too.
        optimizer.reset();
        optimizer.step(&mut params, &grads);
        let after = allocations();
        assert_eq!(after - before, 0, "{name} allocated after its first step");
    }
}

#[test]
fn first_step_allocates() {
    // The counter works: sizing Adam's two moment buffers allocates.
    let mut adam = Adam::new(0.1);
    let mut params = vec![1.0; 10];
    let before = allocations();
    adam.step(&mut params, &[0.5; 10]);
    assert!(allocations() - before >= 2);
}
