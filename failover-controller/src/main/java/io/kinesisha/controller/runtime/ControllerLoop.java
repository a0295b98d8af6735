package io.kinesisha.controller.runtime;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The local run mode: a {@link ControllerTick} every probe interval on one daemon thread, so detection time is
 * bounded by interval x consecutive bad evaluations. A failing round is reported and the next one runs anyway.
 */
public final class ControllerLoop implements AutoCloseable {
    private final ControllerTick tick;
    private final Duration interval;
    private final Consumer<ControllerTick.Result> onResult;
    private final Consumer<Exception> onError;
    private ScheduledExecutorService scheduler;

    public ControllerLoop(
            ControllerTick tick,
            Duration interval,
            Consumer<ControllerTick.Result> onResult,
            Consumer<Exception> onError) {
        this.tick = tick;
        this.interval = interval;
        this.onResult = onResult;
        this.onError = onError;
    }

    public synchronized ControllerLoop start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kinesis-ha-controller");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleAtFixedRate(this::round, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void round() {
        try {
            onResult.accept(tick.tick());
        } catch (Exception e) {
            onError.accept(e);
        }
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
    }
}
