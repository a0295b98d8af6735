package io.kinesisha.controller;

import io.kinesisha.controller.time.ControllerTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test moves it: a sleeper that advances it makes waiting loops run instantly. The
 * {@link #stepping} kind also moves one millisecond per reading, so items written in a row (audit entries) get
 * distinct, ordered times.
 */
public final class SimulatedClock extends Clock {
    private final AtomicLong millis;
    private final long stepPerReading;

    public SimulatedClock(Instant start) {
        this(start, 0);
    }

    private SimulatedClock(Instant start, long stepPerReading) {
        this.millis = new AtomicLong(start.toEpochMilli());
        this.stepPerReading = stepPerReading;
    }

    /** A clock that moves one millisecond per reading, and further with {@link #advance}. */
    public static SimulatedClock stepping(Instant start) {
        return new SimulatedClock(start, 1);
    }

    /** This clock with a sleeper that advances it: the controller's waits on it take no real time. */
    public ControllerTime time() {
        return ControllerTime.of(this, this::advance);
    }

    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    public void set(Instant t) {
        millis.set(t.toEpochMilli());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.getAndAdd(stepPerReading));
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
