package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.FenceAck;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.RunnerLease;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The wait after an unplanned fence before the cut: the full settle (fence lease plus sink request timeout) bounds
 * a replicator that cannot answer, but it ends as soon as every writer of the run that read under the fenced
 * direction and epoch (the job lease's owner) has acknowledged the fence with nothing in flight. No lease row, a
 * missing writer, or acknowledgements of another epoch or run: the full settle.
 */
final class FenceSettle {
    static final Duration POLL = Duration.ofMillis(100);

    /** How the settle ended. */
    record Ended(boolean acknowledged, Duration waited, String detail) {}

    /** Where the job lease rows and the acknowledgements are read (the control store). */
    interface Records {
        Optional<RunnerLease> lease(String name);

        List<FenceAck> acks(ReplicationDirection direction, long epoch);

        static Records of(ControlStore store, String pair) {
            return new Records() {
                @Override
                public Optional<RunnerLease> lease(String name) {
                    return store.readLease(pair, name);
                }

                @Override
                public List<FenceAck> acks(ReplicationDirection direction, long epoch) {
                    return store.readFenceAcks(pair, direction, epoch);
                }
            };
        }
    }

    private final Records records;
    private final ControllerTime time;
    private final Runnable afterPoll;

    FenceSettle(Records records, ControllerTime time) {
        this(records, time, () -> {});
    }

    /** {@code afterPoll} runs after each sleep (the step keeps its runner lease alive there). */
    FenceSettle(Records records, ControllerTime time, Runnable afterPoll) {
        this.records = records;
        this.time = time;
        this.afterPoll = afterPoll;
    }

    /** Waits until {@code until}, or until every writer of {@code fenced} at {@code epoch} acknowledged. */
    Ended await(ReplicationDirection fenced, long epoch, Instant until) throws InterruptedException {
        Instant start = time.now();
        while (true) {
            Optional<String> silent = fenced == null ? Optional.empty() : silentRun(fenced, epoch);
            Instant now = time.now();
            if (silent.isPresent()) {
                return new Ended(true, Duration.between(start, now), silent.get());
            }
            Duration left = Duration.between(now, until);
            if (left.isNegative() || left.isZero()) {
                return new Ended(
                        false,
                        Duration.between(start, now),
                        "full settle: no acknowledgement from every writer" + " of " + fenced + " epoch " + epoch);
            }
            time.sleep(left.compareTo(POLL) < 0 ? left : POLL);
            afterPoll.run();
        }
    }

    /** The run whose writers all acknowledged the fence of {@code fenced} at {@code epoch}, if there is one. */
    Optional<String> silentRun(ReplicationDirection fenced, long epoch) {
        try {
            Optional<RunnerLease> lease = records.lease(FenceAck.jobLeaseName(fenced, epoch));
            if (lease.isEmpty()) {
                return Optional.empty();
            }
            String run = lease.get().owner();
            List<FenceAck> acks = records.acks(fenced, epoch).stream()
                    .filter(a -> a.direction().equals(fenced)
                            && a.epoch() == epoch
                            && a.owner().equals(run))
                    .collect(Collectors.toList());
            if (acks.isEmpty()
                    || acks.stream().map(FenceAck::parallelism).distinct().count() != 1) {
                return Optional.empty();
            }
            int writers = acks.get(0).parallelism();
            Set<Integer> acknowledged = acks.stream().map(FenceAck::subtask).collect(Collectors.toSet());
            return acknowledged.size() == writers
                    ? Optional.of("run " + run + ": all " + writers + " writer(s) acknowledged the fence of " + fenced
                            + " epoch " + epoch)
                    : Optional.empty();
        } catch (RuntimeException e) {
            // the store unreachable: nothing is known, the full settle applies
            return Optional.empty();
        }
    }
}
