package io.kinesisha.controller.actions;

import io.kinesisha.common.config.StreamArn;
import io.kinesisha.common.kinesis.JobManagedConsumer;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kinesisanalyticsv2.KinesisAnalyticsV2Client;
import software.amazon.awssdk.services.kinesisanalyticsv2.model.ApplicationRestoreType;
import software.amazon.awssdk.services.kinesisanalyticsv2.model.ApplicationStatus;

/**
 * Runs the Managed Flink application of a replication direction under the control record's current epoch, or
 * stops it. A replicator reads its epoch and start positions when its job starts, so an application that already
 * runs (fenced under an older epoch) is stopped and started again, and every start skips the snapshot: the job
 * resumes from its epoch's progress rows or the cut, never from split positions of an older direction (which
 * would copy records back where they came from). Stopping an application is stopping it for good (the next start
 * is fresh), so a stop also retires the EFO consumer its job registered for itself, best effort: the answer is in the
 * outputs, a failure (its region may be the one that is down) never fails the step.
 */
public final class ReplicatorApplicationAction implements Action {
    /** Run the application fresh, or stop it. */
    public enum Goal {
        START_FRESH,
        STOP
    }

    private final KinesisAnalyticsV2Client client;
    private final String region;
    private final String application;
    private final Goal goal;
    private final Duration wait;
    private final Duration poll;
    private final Consumer<String> progress;
    private final Optional<JobManagedConsumer> consumer;
    private final Supplier<JobManagedConsumer.Retirement> retire;
    private Consumer<String> guard = call -> {};
    private ControllerTime time = ControllerTime.system();

    public ReplicatorApplicationAction(
            KinesisAnalyticsV2Client client,
            String region,
            String application,
            Goal goal,
            Duration wait,
            Duration poll,
            Consumer<String> progress) {
        this(client, region, application, goal, wait, poll, progress, Optional.empty(), () -> null);
    }

    /** A stop that also retires {@code consumer} (the job-managed consumer of the application's direction). */
    public ReplicatorApplicationAction(
            KinesisAnalyticsV2Client client,
            String region,
            String application,
            Goal goal,
            Duration wait,
            Duration poll,
            Consumer<String> progress,
            Optional<JobManagedConsumer> consumer,
            Supplier<JobManagedConsumer.Retirement> retire) {
        this.consumer = goal == Goal.STOP ? consumer : Optional.empty();
        this.retire = retire;
        this.client = client;
        this.region = region;
        this.application = application;
        this.goal = goal;
        this.wait = wait;
        this.poll = poll;
        this.progress = progress;
    }

    /**
     * {@code guard} runs before each stop or start call and at each poll while waiting (the runner lease renews
     * and confirms there); it throws to stop the action.
     */
    public ReplicatorApplicationAction withGuard(Consumer<String> guard) {
        this.guard = guard;
        return this;
    }

    /** The clock and sleeper the waits for a settled application use. */
    public ReplicatorApplicationAction withTime(ControllerTime time) {
        this.time = time;
        return this;
    }

    @Override
    public String name() {
        return (goal == Goal.STOP ? "stop" : "start (fresh)") + " Managed Flink application " + application + " in "
                + region;
    }

    @Override
    public List<ApiCall> describe() {
        ApplicationStatus status = status();
        List<ApiCall> calls = new ArrayList<>();
        boolean running = status == ApplicationStatus.RUNNING
                || status == ApplicationStatus.STARTING
                || status == ApplicationStatus.UPDATING
                || status == ApplicationStatus.AUTOSCALING;
        if (running) {
            calls.add(stopCall());
        }
        if (goal == Goal.START_FRESH) {
            calls.add(startCall());
        }
        consumer.ifPresent(c -> calls.add(deregisterCall(c)));
        return calls;
    }

    @Override
    public ActionResult execute() {
        ApplicationStatus status = awaitSettled(status());
        List<ApiCall> calls = new ArrayList<>();
        if (status == ApplicationStatus.RUNNING) {
            guard.accept("stop " + application + " in " + region);
            client.stopApplication(b -> b.applicationName(application).force(false));
            calls.add(stopCall());
            progress.accept("stopping " + application + " in " + region + " (it runs under an older epoch)");
            status = awaitSettled(ApplicationStatus.STOPPING);
        }
        if (status != ApplicationStatus.READY) {
            throw new IllegalStateException(application + " in " + region + " is " + status + ", not READY: cannot "
                    + (goal == Goal.STOP ? "confirm it stopped" : "start it") + "; fix it and resume the operation");
        }
        if (goal == Goal.START_FRESH) {
            guard.accept("start " + application + " in " + region);
            client.startApplication(b -> b.applicationName(application)
                    .runConfiguration(r -> r.applicationRestoreConfiguration(
                            c -> c.applicationRestoreType(ApplicationRestoreType.SKIP_RESTORE_FROM_SNAPSHOT))));
            calls.add(startCall());
            progress.accept("started " + application + " in " + region + " without restoring a snapshot");
        }
        boolean changed = !calls.isEmpty();
        Map<String, String> outputs =
                new java.util.LinkedHashMap<>(Map.of("application", application, "region", region));
        if (consumer.isPresent()) {
            guard.accept("retire the job-managed consumer of " + application);
            JobManagedConsumer.Retirement retired = retire.get();
            calls.add(deregisterCall(consumer.get()));
            outputs.put("consumer", retired.toString());
            progress.accept("retired the stopped application's " + retired);
        }
        return new ActionResult(name(), changed, calls, outputs);
    }

    private ApplicationStatus status() {
        return client.describeApplication(b -> b.applicationName(application))
                .applicationDetail()
                .applicationStatus();
    }

    /** Waits while the application is in a transitional state (starting, stopping, updating). */
    private ApplicationStatus awaitSettled(ApplicationStatus first) {
        ApplicationStatus status = first;
        ControllerTime.Stopwatch waited = time.stopwatch();
        while (status == ApplicationStatus.STARTING
                || status == ApplicationStatus.STOPPING
                || status == ApplicationStatus.UPDATING
                || status == ApplicationStatus.AUTOSCALING
                || status == ApplicationStatus.FORCE_STOPPING
                || status == ApplicationStatus.ROLLING_BACK) {
            if (waited.elapsed().compareTo(wait) > 0) {
                throw new IllegalStateException(application + " in " + region + " is still " + status + " after "
                        + wait.toSeconds() + " s; resume the operation when it has settled");
            }
            guard.accept("waiting for " + application + " in " + region + " (" + status + ")");
            try {
                time.sleep(poll);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + application, e);
            }
            status = status();
        }
        return status;
    }

    private ApiCall stopCall() {
        return new ApiCall(
                "kinesisanalyticsv2",
                "StopApplication",
                region,
                Map.of("ApplicationName", application, "Force", "false"));
    }

    private static ApiCall deregisterCall(JobManagedConsumer c) {
        return new ApiCall(
                "kinesis",
                "DeregisterStreamConsumer",
                StreamArn.parse(c.streamArn()).region(),
                Map.of("StreamARN", c.streamArn(), "ConsumerName", c.name()));
    }

    private ApiCall startCall() {
        return new ApiCall(
                "kinesisanalyticsv2",
                "StartApplication",
                region,
                Map.of("ApplicationName", application, "ApplicationRestoreType", "SKIP_RESTORE_FROM_SNAPSHOT"));
    }
}
