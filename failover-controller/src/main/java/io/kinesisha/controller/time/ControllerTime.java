package io.kinesisha.controller.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The controller's one source of time: every wait (catch-up, drain, dwell, fence settle, application and mapping
 * polls, lease waits) reads this clock and sleeps through this sleeper, so a test drives the waits with a simulated
 * clock whose sleeper moves it, and they take milliseconds instead of the time they describe.
 */
public final class ControllerTime {
    /** How a wait passes time: the real one sleeps the thread, a simulated one moves its clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private static final Sleeper THREAD_SLEEP = d -> Thread.sleep(Math.max(0, d.toMillis()));
    private static final ControllerTime SYSTEM = new ControllerTime(Clock.systemUTC(), THREAD_SLEEP);

    private final Clock clock;
    private final Sleeper sleeper;

    private ControllerTime(Clock clock, Sleeper sleeper) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Wall-clock time and real sleeps. */
    public static ControllerTime system() {
        return SYSTEM;
    }

    /** {@code clock} with real sleeps (a clock that moves by itself). */
    public static ControllerTime of(Clock clock) {
        return clock == SYSTEM.clock ? SYSTEM : new ControllerTime(clock, THREAD_SLEEP);
    }

    public static ControllerTime of(Clock clock, Sleeper sleeper) {
        return new ControllerTime(clock, sleeper);
    }

    public Clock clock() {
        return clock;
    }

    public Instant now() {
        return clock.instant();
    }

    public void sleep(Duration d) throws InterruptedException {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        sleeper.sleep(d);
    }

    /** Measures from now on this clock. */
    public Stopwatch stopwatch() {
        return new Stopwatch(clock);
    }

    /** Time passed since it was started, on the controller's clock. */
    public static final class Stopwatch {
        private final Clock clock;
        private final long startedMillis;

        private Stopwatch(Clock clock) {
            this.clock = clock;
            this.startedMillis = clock.millis();
        }

        public Duration elapsed() {
            return Duration.ofMillis(Math.max(0, clock.millis() - startedMillis));
        }

        public long elapsedMillis() {
            return elapsed().toMillis();
        }
    }
}
