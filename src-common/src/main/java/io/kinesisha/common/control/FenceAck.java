package io.kinesisha.common.control;

import java.util.Objects;

/**
 * A replicator writer's word that it saw its direction fenced at its epoch with no request in flight, so it can never
 * write there again: once every writer of the job that read under that direction and epoch has said so, the
 * controller need not wait out the whole fence settle (lease plus request timeout), which only bounds a writer that
 * cannot say it.
 */
public final class FenceAck {
    private final ReplicationDirection direction;
    private final long epoch;
    private final String owner;
    private final int subtask;
    private final int parallelism;
    private final long atEpochMillis;

    public FenceAck(
            ReplicationDirection direction,
            long epoch,
            String owner,
            int subtask,
            int parallelism,
            long atEpochMillis) {
        this.direction = Objects.requireNonNull(direction, "direction");
        this.epoch = epoch;
        this.owner = Objects.requireNonNull(owner, "owner");
        if (subtask < 0 || subtask >= parallelism) {
            throw new IllegalArgumentException("subtask " + subtask + " is not one of " + parallelism);
        }
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.atEpochMillis = atEpochMillis;
    }

    /** The job lease row of {@code direction} at {@code epoch}: one per direction and epoch, naming the run that reads. */
    public static String jobLeaseName(ReplicationDirection direction, long epoch) {
        return "replicator#" + direction + "#" + epoch;
    }

    public ReplicationDirection direction() {
        return direction;
    }

    public long epoch() {
        return epoch;
    }

    /** The run (job) the writer belongs to: the owner of its job lease. */
    public String owner() {
        return owner;
    }

    public int subtask() {
        return subtask;
    }

    public int parallelism() {
        return parallelism;
    }

    public long atEpochMillis() {
        return atEpochMillis;
    }

    @Override
    public String toString() {
        return "FenceAck{" + direction + " epoch " + epoch + ", run " + owner + ", writer " + subtask + "/"
                + parallelism + "}";
    }
}
