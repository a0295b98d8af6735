package io.kinesisha.controller.statemachine;

/**
 * The steps operations are made of. Each is idempotent: the runner re-runs the recorded step after a crash, so a
 * step that had already taken effect must find its work done and change nothing.
 */
public enum Step {
    /** Stop the current replication direction from writing: clear the direction, advance the epoch. */
    FENCE_REPLICATION,
    /** Pause producer functions (reserved concurrency 0) so nothing new reaches the old region. */
    PAUSE_PRODUCERS,
    /** Wait until the replicator has copied every record of the old region (switchover barrier). */
    AWAIT_REPLICATION_DRAIN,
    /**
     * Record where the region about to become active stands (its stream's last record per shard), once the fence
     * has settled and before producers move: replication out of it later starts after this cut.
     */
    MARK_CUT,
    /** Name the secondary as active region in the control record (the resolver's source of truth). */
    ACTIVATE_SECONDARY,
    /** Name the primary as active region in the control record. */
    ACTIVATE_PRIMARY,
    /** Point producer functions at the active region (environment, read-modify-write). */
    REDIRECT_PRODUCERS,
    /** Enable or create consumers' event source mappings in the active region at the translated position. */
    START_CONSUMERS,
    /** Disable consumers' event source mappings in the region left (best effort when it is down). */
    STOP_CONSUMERS,
    /** Restore producer functions' reserved concurrency. */
    RESUME_PRODUCERS,
    /** Replicate from the active region to the other one (new direction, new epoch). */
    REPLICATE_FROM_ACTIVE,
    /** Wait until replication from the active region has caught up (failback precondition). */
    AWAIT_REPLICATION_CATCH_UP,
    /** Find records written to the lost region but never replicated, and apply the orphan policy. */
    RECONCILE_ORPHANS,
    /** Require the old primary to answer every probe for the dwell time before failing back to it. */
    CHECK_PRIMARY_HEALTH
}
