package io.kinesisha.common.control;

import java.time.Instant;
import java.util.Objects;

/**
 * The one record per replication pair that says who is in charge: the active region (where producers and
 * consumers belong), the replication direction, and the epoch, a fencing token that every change of direction
 * or active region increases. Each change is a conditional write on {@link #version()}, so of two writers
 * racing, exactly one wins. The controller owns the state and operation fields, and keeps the operation in
 * progress and its health policy's memory here as opaque JSON, so they change in the same conditional write.
 * The producers-paused flag (planned switchover) lives here too, so SDK producers learn it with the active region.
 */
public final class ControlRecord {
    private final String pairName;
    private final String activeRegion;
    private final ReplicationDirection direction;
    private final long epoch;
    private final String state;
    private final boolean automationPaused;
    private final long version;
    private final Instant updatedAt;
    private final String operation;
    private final String policyMemory;
    private final boolean producersPaused;

    public ControlRecord(
            String pairName,
            String activeRegion,
            ReplicationDirection direction,
            long epoch,
            String state,
            boolean automationPaused,
            long version,
            Instant updatedAt) {
        this(pairName, activeRegion, direction, epoch, state, automationPaused, version, updatedAt, null, null);
    }

    /** With the controller's operation in progress and policy memory (JSON; {@code null} when none). */
    public ControlRecord(
            String pairName,
            String activeRegion,
            ReplicationDirection direction,
            long epoch,
            String state,
            boolean automationPaused,
            long version,
            Instant updatedAt,
            String operation,
            String policyMemory) {
        this(
                pairName,
                activeRegion,
                direction,
                epoch,
                state,
                automationPaused,
                version,
                updatedAt,
                operation,
                policyMemory,
                false);
    }

    /**
     * With the producers-paused flag: true while a planned switchover holds SDK producers (they read it through
     * the {@link ActiveRegionResolver}) so the replicator can drain before the active region changes.
     */
    public ControlRecord(
            String pairName,
            String activeRegion,
            ReplicationDirection direction,
            long epoch,
            String state,
            boolean automationPaused,
            long version,
            Instant updatedAt,
            String operation,
            String policyMemory,
            boolean producersPaused) {
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.activeRegion = Objects.requireNonNull(activeRegion, "activeRegion");
        this.direction = direction;
        this.epoch = epoch;
        this.state = Objects.requireNonNull(state, "state");
        this.automationPaused = automationPaused;
        this.version = version;
        this.updatedAt = Objects.requireNonNull(updatedAt, "updatedAt");
        this.operation = operation;
        this.policyMemory = policyMemory;
        this.producersPaused = producersPaused;
    }

    /** The first record of a pair: primary active, replicating primary to secondary, epoch 1, version 1. */
    public static ControlRecord initial(String pairName, String primaryRegion, String secondaryRegion, Instant now) {
        return new ControlRecord(
                pairName,
                primaryRegion,
                new ReplicationDirection(primaryRegion, secondaryRegion),
                1,
                "ACTIVE_PRIMARY",
                false,
                1,
                now);
    }

    public String pairName() {
        return pairName;
    }

    public String activeRegion() {
        return activeRegion;
    }

    /** The direction replication may write in; {@code null} while no replication is allowed (e.g. after failover). */
    public ReplicationDirection direction() {
        return direction;
    }

    public long epoch() {
        return epoch;
    }

    public String state() {
        return state;
    }

    public boolean automationPaused() {
        return automationPaused;
    }

    public long version() {
        return version;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    /** The operation in progress as the controller serialised it; {@code null} when none runs. */
    public String operation() {
        return operation;
    }

    /** The controller's health policy memory (consecutive bad evaluations, recent failovers); may be {@code null}. */
    public String policyMemory() {
        return policyMemory;
    }

    /** True while producers must hold their writes (planned switchover barrier); SDK producers read it. */
    public boolean producersPaused() {
        return producersPaused;
    }

    /** The same record (same version) with another operation; combine with {@link #next}. */
    public ControlRecord withOperation(String newOperation) {
        return new ControlRecord(
                pairName,
                activeRegion,
                direction,
                epoch,
                state,
                automationPaused,
                version,
                updatedAt,
                newOperation,
                policyMemory,
                producersPaused);
    }

    /** The same record (same version) with another policy memory; combine with {@link #next}. */
    public ControlRecord withPolicyMemory(String newPolicyMemory) {
        return new ControlRecord(
                pairName,
                activeRegion,
                direction,
                epoch,
                state,
                automationPaused,
                version,
                updatedAt,
                operation,
                newPolicyMemory,
                producersPaused);
    }

    /** The same record (same version) with producers paused or not; combine with {@link #next}. */
    public ControlRecord withProducersPaused(boolean paused) {
        return new ControlRecord(
                pairName,
                activeRegion,
                direction,
                epoch,
                state,
                automationPaused,
                version,
                updatedAt,
                operation,
                policyMemory,
                paused);
    }

    /** True if a replicator holding {@code heldEpoch} for {@code heldDirection} may write. */
    public boolean permitsReplication(ReplicationDirection heldDirection, long heldEpoch) {
        return direction != null && direction.equals(heldDirection) && epoch == heldEpoch;
    }

    /**
     * The next version of this record, with a new epoch when direction or active region change; the operation and
     * policy memory carry over.
     */
    public ControlRecord next(
            String newActiveRegion, ReplicationDirection newDirection, String newState, boolean paused, Instant now) {
        boolean fencing = !newActiveRegion.equals(activeRegion) || !Objects.equals(newDirection, direction);
        return new ControlRecord(
                pairName,
                newActiveRegion,
                newDirection,
                fencing ? epoch + 1 : epoch,
                newState,
                paused,
                version + 1,
                now,
                operation,
                policyMemory,
                producersPaused);
    }

    @Override
    public String toString() {
        return "ControlRecord{pair=" + pairName + ", active=" + activeRegion + ", direction=" + direction + ", epoch="
                + epoch + ", state=" + state + ", paused=" + automationPaused
                + (producersPaused ? ", producersPaused" : "") + ", version=" + version
                + (operation == null ? "" : ", operation=" + operation) + "}";
    }
}
