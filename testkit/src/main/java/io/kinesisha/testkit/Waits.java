package io.kinesisha.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; readiness checks, never fixed sleeps. */
public final class Waits {
    private Waits() {}

    /**
     * Returns once {@code condition} is true; otherwise throws {@link IllegalStateException} with the
     * description from {@code whatWeWaitFor} when {@code timeout} has passed.
     */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> whatWeWaitFor) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseNanos = Duration.ofMillis(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "timed out after " + timeout.toMillis() + " ms waiting for " + whatWeWaitFor.get());
            }
            LockSupport.parkNanos(pauseNanos);
            pauseNanos = Math.min(pauseNanos * 2, Duration.ofMillis(200).toNanos());
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while waiting for " + whatWeWaitFor.get());
            }
        }
    }
}
