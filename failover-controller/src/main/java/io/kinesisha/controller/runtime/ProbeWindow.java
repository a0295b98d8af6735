package io.kinesisha.controller.runtime;

import io.kinesisha.controller.time.ControllerTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * Rounds back to back, one every probe interval, for most of one scheduled invocation: a 1-minute schedule that
 * probed once per invocation needed three minutes for three bad evaluations. The window ends the loop well before
 * the function's timeout and the next scheduled invocation; a round that did something other than evaluate (a
 * failover ran, an operation was resumed, the pair is not in ACTIVE_PRIMARY) ends it at once. The controller's time is
 * injected so the detection budget is tested on a simulated clock.
 */
public final class ProbeWindow {
    /** The last round's result and how many rounds ran. */
    public record Outcome(ControllerTick.Result last, int rounds) {}

    /** One round per invocation: what an alarm delivery or a test without a window runs. */
    public static final ProbeWindow SINGLE =
            new ProbeWindow(Duration.ofSeconds(1), Duration.ZERO, ControllerTime.system());

    private final Duration interval;
    private final Duration window;
    private final ControllerTime time;

    public ProbeWindow(Duration interval, Duration window, ControllerTime time) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("probe interval must be positive, was " + interval);
        }
        this.interval = interval;
        this.window = window;
        this.time = time;
    }

    public Duration interval() {
        return interval;
    }

    public Duration window() {
        return window;
    }

    /** The same loop with another window (e.g. shortened to the invocation's remaining time). */
    public ProbeWindow withWindow(Duration shorter) {
        return new ProbeWindow(interval, shorter, time);
    }

    /** Runs {@code round} now and again every interval while it only evaluated and the next start is inside the window. */
    public Outcome run(Callable<ControllerTick.Result> round) throws Exception {
        Instant end = time.now().plus(window);
        int rounds = 0;
        while (true) {
            Instant started = time.now();
            ControllerTick.Result r = round.call();
            rounds++;
            Instant next = started.plus(interval);
            if (!"evaluated".equals(r.action()) || next.isAfter(end)) {
                return new Outcome(r, rounds);
            }
            time.sleep(Duration.between(time.now(), next));
        }
    }
}
