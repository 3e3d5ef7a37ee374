package dev.penwright.pipeline;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;

import dev.penwright.api.generate.GenerationException;
import dev.penwright.api.generate.QueueStatus;

/**
 * A bounded waiting room in front of the engine: at most {@code maxRunning} requests hold a slot, at most
 * {@code maxQueued} wait in arrival order, and any more are refused at once. A waiter that is cancelled leaves the
 * queue; a slot is handed to the next live waiter when released. Limits can change while requests run.
 */
final class Admission {
    /** A held slot; releasing it twice is harmless. */
    interface Slot {
        void release();
    }

    private final Deque<CompletableFuture<Slot>> waiting = new ArrayDeque<>();
    private int running;
    private int maxRunning;
    private int maxQueued;
    /** Exponentially weighted mean time a slot is held, for Retry-After. */
    private double meanHoldMillis = 1000;

    Admission(int maxRunning, int maxQueued) {
        resize(maxRunning, maxQueued);
    }

    synchronized void resize(int maxRunning, int maxQueued) {
        this.maxRunning = Math.max(1, maxRunning);
        this.maxQueued = Math.max(0, maxQueued);
        handOver();
    }

    /**
     * @return a future completing with a slot when one is free (cancel it to give up waiting)
     * @throws GenerationException {@link GenerationException#QUEUE_FULL} when the queue is full
     */
    synchronized CompletableFuture<Slot> enter() {
        CompletableFuture<Slot> ticket = new CompletableFuture<>();
        if (running < maxRunning && waiting.isEmpty()) {
            running++;
            ticket.complete(newSlot());
            return ticket;
        }
        waiting.removeIf(CompletableFuture::isDone);
        if (waiting.size() >= maxQueued) {
            throw new GenerationException(GenerationException.QUEUE_FULL, "the request queue is full ("
                    + maxQueued + " waiting, " + running + " running)", retryAfterSeconds(), null);
        }
        waiting.addLast(ticket);
        ticket.whenComplete((slot, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    waiting.remove(ticket);
                }
            }
        });
        return ticket;
    }

    synchronized QueueStatus status() {
        waiting.removeIf(CompletableFuture::isDone);
        return new QueueStatus(running, waiting.size(), maxRunning, maxQueued);
    }

    /** A client's best guess of when a slot frees up: the queue ahead of it times the mean hold, per slot. */
    synchronized int retryAfterSeconds() {
        double seconds = (waiting.size() + 1) * meanHoldMillis / 1000.0 / maxRunning;
        return (int) Math.max(1, Math.min(300, Math.ceil(seconds)));
    }

    private Slot newSlot() {
        long since = System.nanoTime();
        return new Slot() {
            private boolean released;

            @Override
            public void release() {
                synchronized (Admission.this) {
                    if (released) {
                        return;
                    }
                    released = true;
                    running--;
                    meanHoldMillis = 0.8 * meanHoldMillis + 0.2 * (System.nanoTime() - since) / 1e6;
                    handOver();
                }
            }
        };
    }

    /** Gives free slots to waiters in order, skipping those that gave up. Called with the lock held. */
    private void handOver() {
        while (running < maxRunning && !waiting.isEmpty()) {
            CompletableFuture<Slot> next = waiting.pollFirst();
            running++;
            Slot slot = newSlot();
            if (!next.complete(slot)) {
                running--;
            }
        }
    }
}
