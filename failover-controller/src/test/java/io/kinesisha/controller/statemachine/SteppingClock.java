package io.kinesisha.controller.statemachine;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves one millisecond per reading: audit items written in a row get distinct, ordered times. Tests
 * move it further with {@link #advance}.
 */
public final class SteppingClock extends Clock {
    private final AtomicLong millis;

    public SteppingClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    public void advance(java.time.Duration by) {
        millis.addAndGet(by.toMillis());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.getAndIncrement());
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
