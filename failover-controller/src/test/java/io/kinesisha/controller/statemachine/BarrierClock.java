package io.kinesisha.controller.statemachine;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A clock whose first reading per thread waits until every racer has read it. {@link PairControl} reads the clock
 * after reading the control record and before writing it, so every racer holds the same version when the
 * conditional writes start: the race is certain, not likely.
 */
final class BarrierClock extends Clock {
    private final CyclicBarrier barrier;
    private final Instant now;
    private final ThreadLocal<Boolean> waited = ThreadLocal.withInitial(() -> false);

    BarrierClock(int racers, Instant now) {
        this.barrier = new CyclicBarrier(racers);
        this.now = now;
    }

    @Override
    public Instant instant() {
        if (!waited.get()) {
            waited.set(true);
            try {
                barrier.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("racers did not meet", e);
            }
        }
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
